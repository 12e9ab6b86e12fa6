"""Every URL of the dashboard (mounted under `/dashboard`)."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from bot.dashboard import (
    account,
    admin,
    first_password,
    follow_up,
    login,
    signals,
    teams_admin,
    views,
)

STATIC = Path(__file__).parent / "static"
CASE = r"/cases/{case_id:\d{1,18}}"  # longer: no such row, and too big for the database


def setup_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/login", login.login_page, name="login")
    r.add_post("/login", login.login_submit)
    r.add_post("/logout", login.logout, name="logout")
    r.add_get("/password", first_password.page, name="password")
    r.add_post("/password", first_password.submit)

    r.add_get("/", views.queue_page, name="queue")
    r.add_get("/queue/rows", views.queue_rows)
    r.add_post("/queue/next", views.take_next)
    r.add_get("/closed", views.closed_page, name="closed")

    r.add_get(CASE, views.case_page, name="case")
    r.add_get(CASE + "/updates", views.case_updates)
    r.add_get(CASE + r"/attachments/{attachment_id:\d{1,18}}", views.attachment)
    r.add_post(CASE + "/claim", views.claim)
    r.add_post(CASE + "/reply", views.reply)
    r.add_post(CASE + "/notes", views.note)
    r.add_post(CASE + "/release", views.release)
    r.add_post(CASE + "/reassign", views.reassign)
    r.add_post(CASE + "/team", views.move_team)
    r.add_get(CASE + "/close", views.close_page)
    r.add_post(CASE + "/close", views.close)
    r.add_post(CASE + "/follow-up", follow_up.follow_up_post)

    r.add_get("/events", views.events)
    r.add_post("/api/alive", views.alive)
    r.add_get("/api/whoami", views.whoami)

    r.add_get("/account", account.account_page, name="account")
    r.add_post("/account", account.account_save)
    r.add_get("/audit", admin.audit_page, name="audit")
    r.add_get("/admin/users", admin.users_page, name="users")
    r.add_post("/admin/users", admin.users_add)
    r.add_post(r"/admin/users/{user_id:\d{1,18}}/disable", admin.users_disable)
    r.add_get("/admin/teams", teams_admin.teams_page, name="teams")
    r.add_post("/admin/teams", teams_admin.teams_add)
    r.add_post(r"/admin/teams/{team_id:\d{1,18}}", teams_admin.teams_edit)
    r.add_post(r"/admin/teams/{team_id:\d{1,18}}/remove", teams_admin.teams_remove)
    r.add_get("/admin/flows", admin.flows_page, name="flows")
    r.add_get("/admin/translations", admin.translations_page, name="translations")
    r.add_get("/signals", signals.signals_page, name="signals")
    r.add_get("/signals.csv", signals.signals_csv)

    r.add_static("/static/", STATIC, name="static")
