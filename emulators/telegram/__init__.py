"""Local emulator of the Telegram Bot API: getMe, sendMessage, the file sends (sendPhoto,
sendVideo, sendAudio, sendDocument by URL or upload), getFile, downloads, faults.

``emu = TelegramEmulator(token="123456:TEST"); base = emu.start()``; point
``TELEGRAM_API_BASE_URL`` at ``base``; read ``emu.state.sent`` (each record names the
``method`` and ``bot_token`` used, and for a file send its ``file``: ``url``, or the upload's
``file_name``, ``size``, ``content_type``); more bots with ``emu.state.tokens.add(...)``;
``emu.stop()``. Request bodies are checked against ``../shared/specs`` when that file is
present.
"""

from emulators.telegram.app import TelegramEmulator, create_app
from emulators.telegram.state import Fault, TelegramState

__all__ = ["Fault", "TelegramEmulator", "TelegramState", "create_app"]
