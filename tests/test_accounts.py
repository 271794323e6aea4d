"""Accounts from the environment and the TOML file; a thread only ever gets its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge import accounts
from bridge.errors import ConfigError
from tests.conftest import apply_env

TOML = """
[[accounts.messenger]]
id = "111"
access_token = "token-111"

[[accounts.messenger]]
id = "222"
access_token = "token-222"

[[accounts.whatsapp]]
id = "555"
access_token = "wa-555"
template_name = "reopen"

[[accounts.telegram]]
bot_token = "777:AAA"
secret_token = "s-777"

[[accounts.telegram]]
bot_token = "888:BBB"
secret_token = "s-888"
"""


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "bridge.toml"
    path.write_text(text)
    return str(path)


def test_each_thread_gets_its_own_account(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    apply_env(env, BRIDGE_CONFIG=write(tmp_path, TOML))
    assert accounts.find("messenger", "111").get("access_token") == "token-111"  # type: ignore[union-attr]
    assert accounts.find("facebook_comment", "222").get("access_token") == "token-222"  # type: ignore[union-attr]
    assert accounts.find("messenger", "333") is None
    assert accounts.find("whatsapp", "555").get("template_name") == "reopen"  # type: ignore[union-attr]
    assert [a.id for a in accounts.accounts("telegram")] == ["777", "888"]


def test_telegram_account_by_webhook_secret(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    apply_env(env, BRIDGE_CONFIG=write(tmp_path, TOML))
    found = accounts.by_secret("telegram", "secret_token", "s-888")
    assert found is not None and found.id == "888"
    assert accounts.by_secret("telegram", "secret_token", "s-999") is None
    assert accounts.by_secret("telegram", "secret_token", "") is None


def test_environment_account_beside_toml_accounts(env: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    apply_env(env, BRIDGE_CONFIG=write(tmp_path, TOML), META_PAGE_ID="999",
              META_PAGE_ACCESS_TOKEN="token-env")
    assert [a.id for a in accounts.accounts("messenger")] == ["999", "111", "222"]
    assert accounts.find("messenger", "999").source == "env"  # type: ignore[union-attr]


def test_single_environment_account_without_id_serves_its_platform(
        env: pytest.MonkeyPatch) -> None:
    apply_env(env, META_PAGE_ACCESS_TOKEN="token-env")
    found = accounts.find("messenger", "123")
    assert found is not None and found.get("access_token") == "token-env"
    assert accounts.find("whatsapp", "123") is None


def test_no_fallback_once_several_accounts_exist(env: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    apply_env(env, BRIDGE_CONFIG=write(tmp_path, TOML), META_PAGE_ACCESS_TOKEN="token-env")
    assert accounts.find("messenger", "123") is None


@pytest.mark.parametrize(("text", "message"), [
    ('[[accounts.myspace]]\nid = "1"\n', "accounts.myspace: unknown platform"),
    ('[[accounts.messenger]]\nid = "1"\n', "accounts.messenger[0].access_token: required"),
    ('[[accounts.messenger]]\naccess_token = "t"\n', "accounts.messenger[0].id: required"),
    ('[[accounts.messenger]]\nid = "1"\naccess_token = "t"\ncolour = "red"\n',
     "accounts.messenger[0].colour: unknown field"),
    ('[[accounts.whatsapp]]\nid = "1"\naccess_token = true\n',
     "accounts.whatsapp[0].access_token: expected a string"),
    ("[accounts\n", "bridge.toml"),
])
def test_configuration_errors_name_the_place(env: pytest.MonkeyPatch, tmp_path: Path,
                                             text: str, message: str) -> None:
    apply_env(env, BRIDGE_CONFIG=write(tmp_path, text))
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        accounts.accounts("messenger")
