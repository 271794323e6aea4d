"""Local emulator of the Telegram Bot API: getMe, sendMessage, getFile, downloads, faults.

``emu = TelegramEmulator(token="123456:TEST"); base = emu.start()``; point
``TELEGRAM_API_BASE_URL`` at ``base``; read ``emu.state.sent`` (each record names the
``bot_token`` used); more bots with ``emu.state.tokens.add(...)``; ``emu.stop()``.
``sendMessage`` bodies are checked against ``../shared/specs`` when that file is present.
"""

from emulators.telegram.app import TelegramEmulator, create_app
from emulators.telegram.state import Fault, TelegramState

__all__ = ["Fault", "TelegramEmulator", "TelegramState", "create_app"]
