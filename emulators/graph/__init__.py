"""Local emulator of the Graph API: the Send API for Messenger and Instagram DMs, page and
Instagram comment replies, private replies, the user profile, files, faults.

``emu = GraphEmulator(page_id="1234567890", access_token="tok"); base = emu.start()``;
point ``META_GRAPH_BASE_URL`` at ``base``; read ``emu.state.sent`` (each record has a
``surface``, and the ``access_token`` and ``page_id`` it was sent with); more pages with
``pages={"page id": "its token"}``; set comments up with ``emu.state.comments``;
``emu.stop()``.
"""

from emulators.graph.app import GraphEmulator, create_app
from emulators.graph.state import Fault, GraphState

__all__ = ["Fault", "GraphEmulator", "GraphState", "create_app"]
