"""The dashboard's fixtures (a real app with the dashboard, users, cheap passwords) and the
browser, for the signals page's tests."""

from tests.browser.conftest import browser  # noqa: F401
from tests.dashboard.conftest import add_user, app, client, config, quick_passwords  # noqa: F401
