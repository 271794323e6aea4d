"""Telegram files reach the helpdesk: ``telegram-file:`` references are resolved in the
worker (``getFile``) and downloaded, and the token never lands in the ticket."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bridge.config import Settings
from bridge.social.telegram.adapter import TelegramChannel
from emulators.telegram import TelegramEmulator

TOKEN = "123456:TEST-token"


@pytest.fixture
def emulator() -> Iterator[TelegramEmulator]:
    emu = TelegramEmulator(token=TOKEN)
    emu.start()
    yield emu
    emu.stop()


def test_a_file_reference_is_resolved_and_downloaded(emulator: TelegramEmulator) -> None:
    file_id = "AgACAgQAAxkBAAIBf2"
    emulator.state.add_file(file_id, b"\x89PNG fake image", "photos/file_1.png", "image/png")
    channel = TelegramChannel(Settings(TELEGRAM_BOT_TOKEN=TOKEN,
                                       TELEGRAM_API_BASE_URL=emulator.url))
    got = channel.fetch_attachment(f"telegram-file:{file_id}")
    assert got is not None and got[1] == b"\x89PNG fake image"


def test_an_unknown_file_is_none_not_an_error(emulator: TelegramEmulator) -> None:
    channel = TelegramChannel(Settings(TELEGRAM_BOT_TOKEN=TOKEN,
                                       TELEGRAM_API_BASE_URL=emulator.url))
    assert channel.fetch_attachment("telegram-file:does-not-exist") is None
