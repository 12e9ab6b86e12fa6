"""What storage functions raise for the caller to handle."""


class NotFound(LookupError):
    """The row to change does not exist (or is not in a state that allows the change)."""
