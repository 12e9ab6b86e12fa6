"""Readers for the files in deploy/, so the tests compare them with the code they configure."""

from __future__ import annotations

import ast
import json
import re
import shlex
import socket
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DOCKERFILE = DEPLOY / "Dockerfile"
DOCKERIGNORE = DEPLOY / "Dockerfile.dockerignore"
ENTRYPOINT = DEPLOY / "entrypoint.sh"
COMPOSE = DEPLOY / "compose.yaml"
UNIT = DEPLOY / "buurtbot.service"
ENV_EXAMPLE = DEPLOY / "buurtbot.env.example"
NGINX = DEPLOY / "nginx.conf"

_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
_ASSIGNMENT = re.compile(r"#?\s*([A-Z][A-Z0-9_]*)=(.*)")


def env_read_by_code(*packages: str) -> dict[str, str]:
    """Every environment variable the code reads, with where: calls `x.get("NAME")` and
    `os.getenv("NAME")`, and subscripts `os.environ["NAME"]`, in the packages' sources."""
    found: dict[str, str] = {}
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for node in ast.walk(tree):
                name = _env_name(node)
                if name is not None:
                    found.setdefault(name, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def _env_name(node: ast.AST) -> str | None:
    argument: ast.expr | None = None
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("get", "getenv")
        and node.args
    ):
        argument = node.args[0]
    elif (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "environ"
    ):
        argument = node.slice
    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
        return argument.value if _NAME.fullmatch(argument.value) else None
    return None


def env_example() -> dict[str, tuple[str, bool]]:
    """The example env file: name -> (value, set), where `set` is False for a commented line
    that shows the default."""
    entries: dict[str, tuple[str, bool]] = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        match = _ASSIGNMENT.fullmatch(line.strip())
        if match:
            entries[match[1]] = (match[2], not line.startswith("#"))
    return entries


def dockerfile() -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (INSTRUCTION, arguments), continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    return instructions


def exec_form(arguments: str) -> list[str]:
    """A JSON-array instruction argument (`CMD ["a", "b"]`) as a list."""
    value = json.loads(arguments)
    assert isinstance(value, list), arguments
    return value


def unit() -> dict[str, list[str]]:
    """The systemd unit as `Section.Key` -> values (a key may repeat)."""
    entries: dict[str, list[str]] = {}
    section = ""
    for line in UNIT.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        entries.setdefault(f"{section}.{key.strip()}", []).append(value.strip())
    return entries


def command(line: str) -> list[str]:
    """An Exec*= line as words, without systemd's prefixes (`-`, `+`, `!`, `@`, `:`)."""
    return shlex.split(line.lstrip("-+!@:"))


def nginx_locations() -> dict[str, str]:
    """The nginx config's `location` blocks: their match (`= /path` or `/path`) -> body."""
    text = NGINX.read_text(encoding="utf-8")
    text = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    return {
        match[1].strip(): match[2]
        for match in re.finditer(r"location\s+([^{]+)\{((?:[^{}]|\{[^{}]*\})*)\}", text)
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
