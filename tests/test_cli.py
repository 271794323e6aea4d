"""The ``bridge`` command as an operator types it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bridge import clock, db, tasks
from bridge.cli import main
from bridge.models import Conversation, InboxMessage
from tests.conftest import apply_env


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_db_upgrade_is_safe_twice_and_check_lists_what_is_missing(
        env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    apply_env(env, DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite3")
    assert "up to date" in run("db", "upgrade")
    assert "up to date" in run("db", "upgrade")
    out = run("check")
    assert "BRIDGE_HELPDESK unset" in out and "META_APP_SECRET unset" in out


def test_zendesk_install_on_a_freshdesk_bridge_says_what_to_set(
        env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Freshdesk's adapter has a raw ``request`` too: it must not pass for a Zendesk client."""
    apply_env(env, DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite3", BRIDGE_HELPDESK="freshdesk",
              FRESHDESK_DOMAIN="acme", FRESHDESK_API_KEY="key")
    result = CliRunner().invoke(main, ["zendesk", "install", "--url", "https://b.example"])
    assert result.exit_code == 1, result.output
    assert "needs BRIDGE_HELPDESK=zendesk" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_failed_list_and_replay(env: pytest.MonkeyPatch, sqlite_url: str) -> None:
    apply_env(env, DATABASE_URL=sqlite_url)
    enqueued: list[list[int]] = []
    env.setattr(tasks, "enqueue", enqueued.append)
    assert "no failed items" in run("failed", "list")
    with db.session() as s:
        conv = Conversation(channel="messenger", account_id="p", thread_id="t",
                            outbound_due=False, created_at=clock.now())
        s.add(conv)
        s.flush()
        s.add(InboxMessage(channel="messenger", account_id="p", message_id="m1", thread_id="t",
                           conversation_id=conv.id, payload="{}",
                           sent_at=clock.now(), received_at=clock.now(), state="failed",
                           attempts=8, last_error="Zendesk refused: invalid token"))
        s.commit()
        conv_id = conv.id
    listed = run("failed", "list")
    assert "in-1" in listed and "invalid token" in listed
    bad = CliRunner().invoke(main, ["failed", "replay", "in-99"])
    assert bad.exit_code != 0 and "not a failed item" in bad.output
    assert "replaying 1" in run("failed", "replay", "--all")
    assert enqueued == [[conv_id]]
    assert "no failed items" in run("failed", "list")
    with db.session() as s:
        row = s.get(InboxMessage, 1)
        assert row is not None and (row.state, row.attempts) == ("pending", 0)
