"""The `buurtbot` command. Each subcommand lives in the module of its concept; this file only
parses arguments and hands over."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.config import Config


def _flows_dir(value: str | None, config: Config) -> Path:
    return Path(value) if value else config.flows_dir


def cmd_flows_validate(args: argparse.Namespace, config: Config) -> int:
    from bot.engine.loader import check

    directory = _flows_dir(args.dir, config)
    _, problems = check(directory)
    if (directory / "risk").is_dir():  # the risk phrase lists are content too
        from bot.risk import check as check_risk

        problems += check_risk(directory / "risk")[1]
    if (directory / "intents").is_dir():  # and so are the intent lists
        from bot.understanding.intents import check_intents

        problems += check_intents(directory / "intents")
    if not any(p.severity == "error" for p in problems):
        from bot.authoring import stale  # texts whose translation is missing or out of date

        problems += stale.problems(directory, config.locales_dir)
    from bot.authoring.author_lang import problem_text, summary  # Dutch, or English

    for problem in sorted(problems):
        print(problem_text(problem))
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    print(f"{directory}: {summary(errors, warnings)}", file=sys.stderr)
    return 1 if errors else 0


def cmd_flows_test(args: argparse.Namespace, config: Config) -> int:
    from bot.authoring.flowtest import run_cli

    return run_cli(_flows_dir(args.dir, config), config)


def cmd_flows_route(args: argparse.Namespace, config: Config) -> int:
    from bot.understanding.cli import route

    directory = _flows_dir(args.dir, config)
    return route(sys.stdin, sys.stdout, flows_dir=directory, locales_dir=config.locales_dir)


def cmd_flows_graph(args: argparse.Namespace, config: Config) -> int:
    from bot.engine.graph import mermaid
    from bot.engine.loader import check

    flows, problems = check(_flows_dir(args.dir, config))
    if flows is None:
        from bot.authoring.author_lang import problem_text

        for problem in sorted(p for p in problems if p.severity == "error"):
            print(problem_text(problem), file=sys.stderr)
        return 1
    if args.flow not in flows.flows:
        known = ", ".join(sorted(flows.flows))
        print(f"no flow '{args.flow}' (flows: {known})", file=sys.stderr)
        return 1
    text = mermaid(flows.flows[args.flow])
    if args.html:
        from bot.authoring.graph_page import write_page

        where = write_page(Path(args.html), flows.flows[args.flow], text)
        print(f"{where}: open this file in a browser to see the flow", file=sys.stderr)
        return 0
    print(text)
    return 0


def cmd_run(args: argparse.Namespace, config: Config) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from bot.app import run
    from bot.channels.telegram import TelegramConfigError
    from bot.engine.errors import FlowSetInvalid
    from bot.ops.logs import LogConfigError, configured
    from bot.risk import RiskListsInvalid

    try:
        with configured(config, verbose=args.verbose):  # JSON lines on stderr: bot/ops/logs.py
            return run(config)
    except LogConfigError as wrong:
        print(f"Logging: {wrong}", file=sys.stderr)
        return 1
    except (FlowSetInvalid, RiskListsInvalid) as invalid:
        for problem in sorted(invalid.problems):
            print(problem, file=sys.stderr)
        print("Buurtbot does not start with broken flows; fix the errors above.", file=sys.stderr)
        return 1
    except TelegramConfigError as wrong:
        print(f"Telegram: {wrong}", file=sys.stderr)
        return 1
    except (SQLAlchemyError, OSError) as exc:
        from storage.problems import explain

        print(f"buurtbot run: {explain(exc)}", file=sys.stderr)
        return 1


def cmd_chat(args: argparse.Namespace, config: Config) -> int:
    from bot.channels.terminal import run

    return run(config, lang=args.lang)


def cmd_risk_check(args: argparse.Namespace, config: Config) -> int:
    from bot.risk.cli import check

    return check(args.lang, sys.stdin, sys.stdout, flows_dir=config.flows_dir)


def cmd_i18n_status(args: argparse.Namespace, config: Config) -> int:
    from bot.authoring.i18n_status import run_cli

    return run_cli(Path(args.dir) if args.dir else config.locales_dir, args.json, sys.stdout)


def cmd_db_upgrade(args: argparse.Namespace, config: Config) -> int:
    from storage import migrate
    from storage.db import run_on

    result = run_on(config.database_url, migrate.upgrade)
    print(f"{_database_name(config)}: {result.describe()}")
    return 0


def cmd_db_current(args: argparse.Namespace, config: Config) -> int:
    from storage import migrate
    from storage.db import run_on

    revision = run_on(config.database_url, migrate.current)
    newest = migrate.head()
    state = "up to date" if revision == newest else f"behind: run 'buurtbot db upgrade' ({newest})"
    print(f"{_database_name(config)}: revision {revision or 'none'}, {state}")
    return 0 if revision == newest else 1


def cmd_db_revision(args: argparse.Namespace, config: Config) -> int:
    import asyncio

    from storage import migrate

    for path in asyncio.run(migrate.new_revision(args.message)):
        print(f"wrote {path}: check it, then commit it with the model change")
    return 0


def _database_name(config: Config) -> str:
    from sqlalchemy.engine import make_url

    return make_url(config.database_url).render_as_string(hide_password=True)


def cmd_purge(args: argparse.Namespace, config: Config) -> int:
    from bot.ops.purge import run_cli

    return run_cli(config, dry_run=args.dry_run, out=sys.stdout, err=sys.stderr)


def cmd_signals(args: argparse.Namespace, config: Config) -> int:
    from bot.signals.cli import run_cli

    return run_cli(
        config,
        team=args.team,
        start=args.start,
        end=args.end,
        kind=args.period,
        fmt=args.format,
        out=sys.stdout,
        err=sys.stderr,
    )


def _users_failed(message: object) -> int:
    print(f"buurtbot users: {message}", file=sys.stderr)
    return 1


def cmd_users_add(args: argparse.Namespace, config: Config) -> int:
    from bot.dashboard import accounts
    from storage.teams import TeamError
    from storage.users import UserError

    try:
        password = accounts.read_password_twice(sys.stdin)
        user = accounts.run(
            lambda db: accounts.add(db, args.name, args.role, password, team_names=args.team),
            config.database_url,
        )
    except (accounts.PasswordInputError, UserError, TeamError) as e:
        return _users_failed(e)
    in_teams = f" in {', '.join(args.team)}" if args.team else ""
    print(f"added {user.name} ({user.role}){in_teams}")
    return 0


def cmd_users_passwd(args: argparse.Namespace, config: Config) -> int:
    from bot.dashboard import accounts
    from storage.users import UserError

    try:
        password = accounts.read_password_twice(sys.stdin, prompt="New password")
        accounts.run(
            lambda db: accounts.change_password(db, args.name, password), config.database_url
        )
    except (accounts.PasswordInputError, UserError) as e:
        return _users_failed(e)
    print(f"password of {args.name} changed; their sessions have ended")
    return 0


def cmd_users_disable(args: argparse.Namespace, config: Config) -> int:
    from bot.dashboard import accounts
    from storage.users import UserError

    try:
        user, released = accounts.run(
            lambda db: accounts.disable(db, args.name), config.database_url
        )
    except UserError as e:
        return _users_failed(e)
    back = f"; cases back in the queue: {len(released)}" if released else ""
    print(f"disabled {user.name}{back}")
    return 0


def cmd_users_totp(args: argparse.Namespace, config: Config) -> int:
    from bot.dashboard import accounts, totp
    from bot.dashboard.two_step import set_up
    from storage.users import UserError

    try:
        made = accounts.run(lambda db: set_up(db, args.name, off=args.off), config.database_url)
    except UserError as e:
        return _users_failed(e)
    if made is None:
        print(f"two-step login of {args.name} is off; they log in with their password alone")
        return 0
    uri, codes = made
    print(f"Two-step login for {args.name}. Scan this with an authenticator app (shown once):")
    print(totp.qr_terminal(uri))
    print(uri)
    print("Recovery codes, each good for one login without the phone (shown once):")
    for code in codes:
        print(f"  {code}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="buurtbot", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("run", help="serve the web chat, the dashboard and Telegram (with a token)")
    p.set_defaults(func=cmd_run)

    flows = sub.add_parser("flows", help="check, test and draw the flows")
    flows_sub = flows.add_subparsers(dest="flows_command", required=True)
    p = flows_sub.add_parser("validate", help="check every flow file; exit 1 on any error")
    p.add_argument("dir", nargs="?", help="flows folder (default: BUURTBOT_FLOWS_DIR or flows)")
    p.set_defaults(func=cmd_flows_validate)
    p = flows_sub.add_parser("test", help="run the transcript tests in flows/tests/")
    p.add_argument("dir", nargs="?", help="flows folder (default: BUURTBOT_FLOWS_DIR or flows)")
    p.set_defaults(func=cmd_flows_test)
    p = flows_sub.add_parser(
        "route", help="where the menu sends typed messages: one stdin line in, one JSON line out"
    )
    p.add_argument("--dir", help="flows folder (default: BUURTBOT_FLOWS_DIR or flows)")
    p.set_defaults(func=cmd_flows_route)
    p = flows_sub.add_parser(
        "graph", help="a flow as a Mermaid diagram; with --html a page that draws it"
    )
    p.add_argument("flow", help="flow id")
    p.add_argument(
        "--html",
        metavar="FILE",
        help="write a web page that draws the flow (opens in any browser, also offline)",
    )
    p.add_argument("--dir", help="flows folder (default: BUURTBOT_FLOWS_DIR or flows)")
    p.set_defaults(func=cmd_flows_graph)

    p = sub.add_parser("chat", help="talk to the flows in this terminal")
    p.add_argument("--lang", default="nl", help="nl, ar, ti or en (default nl)")
    p.set_defaults(func=cmd_chat)

    risk = sub.add_parser("risk", help="risk detection")
    risk_sub = risk.add_subparsers(dest="risk_command", required=True)
    p = risk_sub.add_parser("check", help="one message per stdin line in, one JSON line out")
    p.add_argument("--lang", default="auto", choices=["auto", "nl", "ar", "ti", "en"])
    p.set_defaults(func=cmd_risk_check)

    i18n = sub.add_parser("i18n", help="translations")
    i18n_sub = i18n.add_subparsers(dest="i18n_command", required=True)
    p = i18n_sub.add_parser(
        "status", help="per locale: translated, reviewed, draft, fuzzy and missing texts"
    )
    p.add_argument(
        "dir", nargs="?", help="locales folder (default: BUURTBOT_LOCALES_DIR or locales)"
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=cmd_i18n_status)

    db = sub.add_parser("db", help="the database schema (Alembic migrations)")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    p = db_sub.add_parser(
        "upgrade", help="bring the database to the newest schema (safe to repeat)"
    )
    p.set_defaults(func=cmd_db_upgrade)
    p = db_sub.add_parser("current", help="the schema revision; exit 1 when an upgrade is due")
    p.set_defaults(func=cmd_db_current)
    p = db_sub.add_parser("revision", help="for developers: write a migration for model changes")
    p.add_argument("-m", "--message", required=True, help="what the change is, in a few words")
    p.set_defaults(func=cmd_db_revision)

    p = sub.add_parser(
        "purge", help="delete what has outlived its retention period (docs/privacy.md)"
    )
    p.add_argument(
        "--dry-run", action="store_true", help="only count what would be removed, per category"
    )
    p.set_defaults(func=cmd_purge)

    p = sub.add_parser(
        "signals", help="counts per area and period, with nobody in them (docs/signals.md)"
    )
    p.add_argument("--team", help="only this area (team)")
    p.add_argument("--from", dest="start", metavar="DATE", help="first day, YYYY-MM-DD")
    p.add_argument("--to", dest="end", metavar="DATE", help="last day, YYYY-MM-DD")
    p.add_argument("--period", choices=["week", "month", "quarter"], default="month")
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    p.set_defaults(func=cmd_signals)

    users = sub.add_parser("users", help="dashboard accounts")
    users_sub = users.add_subparsers(dest="users_command", required=True)
    p = users_sub.add_parser(
        "add", help="add a user; the password is read twice (prompt, or two stdin lines)"
    )
    p.add_argument("name", help="login name: lowercase letters, digits, '.', '_', '-'")
    p.add_argument("--role", choices=["worker", "admin"], default="worker")
    p.add_argument(
        "--team", action="append", default=[], help="a team the user works in (repeatable)"
    )
    p.set_defaults(func=cmd_users_add)
    p = users_sub.add_parser("passwd", help="set a new password (read twice); ends sessions")
    p.add_argument("name")
    p.set_defaults(func=cmd_users_passwd)
    p = users_sub.add_parser(
        "disable", help="the user can no longer log in; their cases go back to the queue"
    )
    p.add_argument("name")
    p.set_defaults(func=cmd_users_disable)
    p = users_sub.add_parser(
        "totp", help="two-step login: a new secret (otpauth:// URI and QR code, shown once)"
    )
    p.add_argument("name")
    p.add_argument("--off", action="store_true", help="switch it off (a lost phone)")
    p.set_defaults(func=cmd_users_totp)

    from bot.teams.cli import add_parser as add_teams_parser

    add_teams_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return int(args.func(args, Config.from_env()) or 0)
