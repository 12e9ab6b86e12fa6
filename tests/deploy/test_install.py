"""The image's contents without Docker: the wheel that `pip install .` builds from what
deploy/Dockerfile copies, installed apart and started through deploy/entrypoint.sh from a folder
laid out as the image's /app. Then, only when asked (BUURTBOT_DOCKER_TESTS=1), the real image.

The image test needs a Docker engine and the base image. Where Docker Hub cannot be reached,
build a stand-in base from Debian's own Python 3.11 and name it in BUURTBOT_DOCKER_BASE:

    debootstrap --variant=minbase --include=python3,python3-venv,python-is-python3,\\
      ca-certificates bookworm ROOTFS http://deb.debian.org/debian
    tar -C ROOTFS -c . | docker import -c 'ENV PATH=/usr/local/bin:/usr/bin:/bin' - python:standin
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import zipfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from tests.deploy import files

PYTHON = sys.executable


def _stages() -> list[list[tuple[str, str]]]:
    stages: list[list[tuple[str, str]]] = []
    for kind, arguments in files.dockerfile():
        if kind == "FROM":
            stages.append([])
        elif stages:
            stages[-1].append((kind, arguments))
    return stages


def _copied(stage: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The stage's `COPY source... destination` from the build context, as (source, dest)."""
    pairs = []
    for kind, arguments in stage:
        if kind == "COPY" and not arguments.startswith("--from"):
            *sources, destination = arguments.split()
            pairs += [(source, destination) for source in sources]
    return pairs


def _copy(source: Path, destination: Path) -> None:
    if source.is_dir():
        shutil.copytree(source, destination, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    else:
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel `pip install .` makes in the build stage, from exactly what that stage copies."""
    context = tmp_path_factory.mktemp("build-context")
    for source, _ in _copied(_stages()[0]):
        _copy(files.ROOT / source, context / source)
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [PYTHON, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(context)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    (built,) = out.glob("buurtbot-*.whl")
    return built


def test_the_installed_package_has_every_file_of_the_source(wheel: Path):
    # Templates, static files and migration templates are not Python: setuptools leaves them
    # out unless pyproject.toml names them as package data.
    with zipfile.ZipFile(wheel) as archive:
        installed = set(archive.namelist())
    source = {
        str(path.relative_to(files.ROOT))
        for package in ("bot", "storage")
        for path in (files.ROOT / package).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }
    assert sorted(source - installed) == []


@pytest.fixture(scope="module")
def image_layout(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(site, app): the wheel installed into `site` (its console script in site/bin), and
    `app` laid out as the image's WORKDIR with what the final stage copies there."""
    site = tmp_path_factory.mktemp("site")
    subprocess.run(
        [PYTHON, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site), str(wheel)],
        check=True,
        capture_output=True,
    )
    app = tmp_path_factory.mktemp("app")
    for source, destination in _copied(_stages()[-1]):
        if destination.startswith("./"):
            _copy(files.ROOT / source, app / destination)
    return site, app


def _env(site: Path, **more: str) -> dict[str, str]:
    env = {
        "PATH": f"{site / 'bin'}:{os.environ['PATH']}",
        "PYTHONPATH": str(site),
        "HOME": str(site),
        "LANG": "C.UTF-8",
    }
    env.update(more)
    return env


@dataclass
class Running:
    base: str
    process: asyncio.subprocess.Process
    output: Path  # stdout and stderr: a file, as a pipe nobody reads would fill up


@pytest.fixture
async def started(image_layout: tuple[Path, Path], tmp_path: Path) -> AsyncIterator[Running]:
    """`buurtbot-entrypoint buurtbot run`, as the container runs it."""
    site, app = image_layout
    port = files.free_port()
    env = _env(site, DASHBOARD_HOST="127.0.0.1", DASHBOARD_PORT=str(port))
    where = [PYTHON, "-c", "import bot; print(bot.__file__)"]
    which = subprocess.run(where, env=env, cwd=app, capture_output=True, text=True, check=True)
    assert which.stdout.startswith(str(site)), "the test must run the installed copy"
    output = tmp_path / "output"
    with output.open("wb") as sink:
        process = await asyncio.create_subprocess_exec(
            *[str(files.ENTRYPOINT), "buurtbot", "run"],
            cwd=app,
            env=env,
            stdout=sink,
            stderr=asyncio.subprocess.STDOUT,
        )
    running = Running(f"http://127.0.0.1:{port}", process, output)
    try:
        await _wait_until_healthy(running)
        yield running
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def _wait_until_healthy(running: Running) -> None:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as client:
        for _ in range(300):
            if running.process.returncode is not None:
                code, output = running.process.returncode, running.output.read_text()
                pytest.fail(f"buurtbot stopped ({code}):\n{output}")
            try:
                async with client.get(f"{running.base}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    pytest.fail("buurtbot did not answer /healthz within 30 s")


async def test_the_installed_copy_upgrades_serves_and_stops_on_sigterm(
    started: Running, image_layout: tuple[Path, Path]
):
    site, app = image_layout
    assert (app / "data" / "buurtbot.db").exists()  # the default URL, relative to WORKDIR
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as client:
        for path in ("/", "/simulator", "/dashboard/login", "/chat/static/chat.js"):
            async with client.get(started.base + path) as response:
                assert response.status == 200, path
    healthcheck = next(a for k, a in files.dockerfile() if k == "HEALTHCHECK")
    command = files.exec_form(healthcheck.split(" CMD ", 1)[1])
    assert command[0] == "python"
    port = started.base.rsplit(":", 1)[1]
    probe = subprocess.run(
        [PYTHON, *command[1:]], env=_env(site, DASHBOARD_PORT=port), timeout=10, check=False
    )
    assert probe.returncode == 0

    started.process.send_signal(signal.SIGTERM)  # what `docker stop` and systemd send
    assert await asyncio.wait_for(started.process.wait(), 20) == 0
    before_run = started.output.read_text().split("Buurtbot runs")[0]
    assert "upgraded from an empty database" in before_run


# --- the real image, when asked ------------------------------------------------------------


def _docker() -> str:
    if os.environ.get("BUURTBOT_DOCKER_TESTS") != "1":
        pytest.skip("builds and runs the image only with BUURTBOT_DOCKER_TESTS=1 (docs/deploy.md)")
    docker = os.environ.get("DOCKER", "docker")
    info = subprocess.run([docker, "info"], capture_output=True, text=True, check=False)
    if info.returncode != 0:
        pytest.fail(f"BUURTBOT_DOCKER_TESTS=1 but no Docker engine answers: {info.stderr}")
    return docker


@pytest.fixture(scope="module")
def image() -> Iterator[tuple[str, str]]:
    docker = _docker()
    tag = "buurtbot:deploy-test"
    base = os.environ.get("BUURTBOT_DOCKER_BASE")
    build = [docker, "build", "--network=host", "-f", str(files.DOCKERFILE), "-t", tag]
    if base:
        build += ["--build-arg", f"PYTHON_IMAGE={base}"]
    env = {**os.environ, "DOCKER_BUILDKIT": "1"}  # Dockerfile.dockerignore needs BuildKit
    result = subprocess.run(
        [*build, str(files.ROOT)], capture_output=True, text=True, env=env, timeout=900
    )
    assert result.returncode == 0, result.stderr[-3000:]
    yield docker, tag


def test_the_image_runs_healthy_as_its_own_user_and_stops_cleanly(image):
    docker, tag = image
    port = files.free_port()
    name = f"buurtbot-deploy-test-{port}"
    quick_health = ["--health-interval=1s", "--health-start-period=1s"]
    start = [docker, "run", "-d", "--name", name, "--network=host", *quick_health]
    subprocess.run([*start, "-e", f"DASHBOARD_PORT={port}", tag], check=True, capture_output=True)
    try:
        status = ""
        for _ in range(60):
            inspect = [docker, "inspect", "-f", "{{.State.Health.Status}}", name]
            status = subprocess.run(inspect, capture_output=True, text=True).stdout.strip()
            if status == "healthy":
                break
            subprocess.run(["sleep", "1"], check=True)
        logs = subprocess.run([docker, "logs", name], capture_output=True, text=True)
        assert status == "healthy", logs.stdout + logs.stderr
        assert "revision" in logs.stdout.split("Buurtbot runs")[0]  # `db upgrade` ran first
        whoami = subprocess.run([docker, "exec", name, "id", "-u"], capture_output=True, text=True)
        assert whoami.stdout.strip() == "10001"
        subprocess.run([docker, "stop", name], check=True, capture_output=True)
        code = [docker, "inspect", "-f", "{{.State.ExitCode}}", name]
        assert subprocess.run(code, capture_output=True, text=True).stdout.strip() == "0"
    finally:
        subprocess.run([docker, "rm", "-f", name], capture_output=True, check=False)
