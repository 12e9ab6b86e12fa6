"""`buurtbot teams add|list|edit|remove` and `buurtbot users teams` (docs/teams.md)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from bot.config import Config
from bot.teams import manage
from storage.teams import Changes, TeamError
from storage.users import UserError


def _run(config: Config, work: Callable[[Any], Awaitable[Any]]) -> Any:
    from bot.dashboard import accounts

    return accounts.run(work, config.database_url)


def _failed(message: object) -> int:
    print(f"buurtbot teams: {message}", file=sys.stderr)
    return 1


def cmd_add(args: argparse.Namespace, config: Config) -> int:
    try:
        team = _run(
            config,
            lambda db: manage.add(
                db,
                args.name,
                postcodes=args.postcodes or "",
                alert_email=args.alert_email,
                on_call_email=args.on_call_email,
                is_default=args.default,
            ),
        )
    except TeamError as e:
        return _failed(e)
    print(f"added team {manage.describe(team)}")
    return 0


def cmd_list(args: argparse.Namespace, config: Config) -> int:
    listed = _run(config, manage.listing)
    if not listed:
        print("no teams yet: every worker sees every case (buurtbot teams add ...)")
    for row in listed:
        team = row.team
        print(
            f"{team.name}{' (default)' if team.is_default else ''}\n"
            f"  postcodes: {team.postcodes or '-'}\n"
            f"  alert e-mail: {team.alert_email or '-'}\n"
            f"  on-call e-mail: {team.on_call_email or '-'}\n"
            f"  members: {', '.join(row.members) or '-'}"
        )
    return 0


def cmd_edit(args: argparse.Namespace, config: Config) -> int:
    changes = Changes(
        name=args.rename,
        postcodes=args.postcodes,
        alert_email=args.alert_email,
        on_call_email=args.on_call_email,
        is_default=args.default,
    )
    if changes == Changes():
        return _failed("nothing to change: give --postcodes, --alert-email, ... (see --help)")
    try:
        team = _run(config, lambda db: manage.edit(db, args.name, changes))
    except TeamError as e:
        return _failed(e)
    print(f"changed team {manage.describe(team)}")
    return 0


def cmd_remove(args: argparse.Namespace, config: Config) -> int:
    try:
        team = _run(config, lambda db: manage.remove(db, args.name))
    except TeamError as e:
        return _failed(e)
    print(f"removed team {team.name}")
    return 0


def cmd_user_teams(args: argparse.Namespace, config: Config) -> int:
    try:
        joined = _run(config, lambda db: manage.set_members(db, args.name, args.team))
    except (TeamError, UserError) as e:
        return _failed(e)
    print(f"{args.name} works in: {', '.join(t.name for t in joined) or 'no team'}")
    return 0


def _team_options(p: argparse.ArgumentParser, *, editing: bool) -> None:
    p.add_argument("--postcodes", help="4-digit ranges, such as 1020-1039,1041")
    p.add_argument("--alert-email", help="where alerts for waiting cases go ('' : none)")
    p.add_argument(
        "--on-call-email", help="alerts outside office hours go here ('' : none, no mail then)"
    )
    if editing:
        p.add_argument("--name", dest="rename", help="a new name")
        p.add_argument(
            "--default", action=argparse.BooleanOptionalAction, default=None, help="the default"
        )
    else:
        p.add_argument(
            "--default",
            action="store_true",
            help="cases without a postcode, or from an area no team covers, go here",
        )


def add_parser(sub: Any) -> None:
    """Add `teams ...` to the `buurtbot` parser, and `users teams` to its `users` command."""
    teams = sub.add_parser("teams", help="neighbourhood teams by postcode (docs/teams.md)")
    teams_sub = teams.add_subparsers(dest="teams_command", required=True)
    p = teams_sub.add_parser("add", help="add a team with its postcode ranges")
    p.add_argument("name")
    _team_options(p, editing=False)
    p.set_defaults(func=cmd_add)
    p = teams_sub.add_parser("list", help="every team, its area, alert addresses and members")
    p.set_defaults(func=cmd_list)
    p = teams_sub.add_parser("edit", help="change a team (only what is given)")
    p.add_argument("name")
    _team_options(p, editing=True)
    p.set_defaults(func=cmd_edit)
    p = teams_sub.add_parser("remove", help="remove a team without open cases")
    p.add_argument("name")
    p.set_defaults(func=cmd_remove)

    users = sub.choices["users"]
    users_sub = next(a for a in users._actions if isinstance(a, argparse._SubParsersAction))
    p = users_sub.add_parser("teams", help="set the teams a user works in (none: no --team)")
    p.add_argument("name")
    p.add_argument("--team", action="append", default=[], help="a team (repeatable)")
    p.set_defaults(func=cmd_user_teams)
