"""The WhatsApp account every test here talks to (``conftest.py`` serves its emulator)."""

from datetime import UTC, datetime

from bridge.domain import ThreadKey

PHONE, WA_ID, TOKEN = "1234567890", "972987654321", "wa-token"
NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
THREAD = ThreadKey("whatsapp", PHONE, WA_ID)
