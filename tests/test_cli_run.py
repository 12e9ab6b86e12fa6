"""`buurtbot run` refuses to start with a clear message, never a traceback."""

from __future__ import annotations

from pathlib import Path

from bot.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_webhook_without_a_secret_is_refused_clearly(monkeypatch, tmp_path: Path, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'run.db'}")
    monkeypatch.setenv("BUURTBOT_FLOWS_DIR", str(ROOT / "flows"))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:TEST")
    monkeypatch.setenv("WEBHOOK_URL", "https://buurtbot.example/telegram/webhook")
    monkeypatch.delenv("WEBHOOK_SECRET", raising=False)
    assert main(["run"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Telegram: ") and "WEBHOOK_SECRET" in err
    assert "Traceback" not in err


def test_broken_flows_are_refused_with_every_problem(monkeypatch, tmp_path: Path, capsys):
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "kapot.yaml").write_text("flow: kapot\nstart: x\nnodes:\n  y:\n    say: hoi\n")
    monkeypatch.setenv("BUURTBOT_FLOWS_DIR", str(flows))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'run.db'}")
    assert main(["run"]) == 1
    err = capsys.readouterr().err
    assert f"{flows}/kapot.yaml:2:8: error: start: no node 'x'" in err
    assert "does not start with broken flows" in err


def test_a_read_only_database_is_refused_in_one_line(monkeypatch, tmp_path: Path, capsys):
    (tmp_path / "ro.db").write_bytes(b"")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///file:{tmp_path / 'ro.db'}?mode=ro&uri=true")
    monkeypatch.setenv("BUURTBOT_FLOWS_DIR", str(ROOT / "flows"))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["run"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("buurtbot run: the database is read-only")
