"""Start-up notes for a half-configured X account (``Settings.missing()``)."""

from __future__ import annotations

import pytest

from bridge.config import Settings

KEYS = {"X_CONSUMER_KEY": "ck", "X_CONSUMER_SECRET": "cs", "X_ACCESS_TOKEN": "at",
        "X_ACCESS_TOKEN_SECRET": "ats"}


def x_notes(**values: str) -> list[str]:
    return [n for n in Settings(**values).missing()  # type: ignore[arg-type]
            if n.startswith("X:")]


def test_no_x_settings_no_note(env: pytest.MonkeyPatch) -> None:
    assert x_notes() == []
    assert x_notes(X_ACCOUNT_ID="2975699229", **KEYS) == []


def test_an_account_without_its_keys_is_named(env: pytest.MonkeyPatch) -> None:
    assert x_notes(X_ACCOUNT_ID="2975699229") == [
        "X: set X_CONSUMER_KEY, X_CONSUMER_SECRET, X_ACCESS_TOKEN, X_ACCESS_TOKEN_SECRET or "
        "replies cannot reach X; /webhooks/x refuses every POST without X_CONSUMER_SECRET"]


def test_only_the_missing_keys_are_named(env: pytest.MonkeyPatch) -> None:
    assert x_notes(X_CONSUMER_KEY="ck", X_CONSUMER_SECRET="cs") == [
        "X: set X_ACCESS_TOKEN, X_ACCESS_TOKEN_SECRET or replies cannot reach X"]
    assert x_notes(X_CONSUMER_KEY="ck", X_ACCESS_TOKEN="at", X_ACCESS_TOKEN_SECRET="ats") == [
        "X: set X_CONSUMER_SECRET or replies cannot reach X; "
        "/webhooks/x refuses every POST without X_CONSUMER_SECRET"]
