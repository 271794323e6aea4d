"""Local emulator of the X API v2 send endpoints: reply posts, DMs, OAuth 1.0a, faults.

``emu = XEmulator(); base = emu.start()``; point ``X_API_BASE_URL`` at ``base`` and the
``X_CONSUMER_KEY``/``X_CONSUMER_SECRET``/``X_ACCESS_TOKEN``/``X_ACCESS_TOKEN_SECRET``
settings at ``emu.state``'s keys; read ``emu.state.posts()`` and ``emu.state.dms()`` (each
names the ``access_token`` and ``account_id`` it was signed for); more accounts of the app
with ``XEmulator(accounts={"token": ("token secret", "account id")})``; ``emu.stop()``.
Request bodies are checked against ``../shared/specs`` when it is present.
"""

from emulators.x.app import XEmulator, create_app
from emulators.x.state import Fault, XState

__all__ = ["Fault", "XEmulator", "XState", "create_app"]
