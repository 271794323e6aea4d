"""Local emulator of the Graph API for Messenger: Send API, user profile, files, faults.

``emu = GraphEmulator(page_id="1234567890", access_token="tok"); base = emu.start()``;
point ``META_GRAPH_BASE_URL`` at ``base``; read ``emu.state.sent``; ``emu.stop()``.
"""

from emulators.graph.app import GraphEmulator, create_app
from emulators.graph.state import Fault, GraphState

__all__ = ["Fault", "GraphEmulator", "GraphState", "create_app"]
