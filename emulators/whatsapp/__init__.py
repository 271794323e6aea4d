"""Local emulator of the WhatsApp Cloud API: send (text, template, reply buttons, media by
link) with the 24 h window, media lookup and download, faults, a sent log and a control API.

``emu = WhatsAppEmulator(phone_number_id="1234567890", access_token="tok");
base = emu.start()``; point ``META_GRAPH_BASE_URL`` at ``base``; read ``emu.state.sent``
(each record names the ``phone_number_id`` and ``access_token`` it was sent with); more
numbers with ``numbers={"phone number id": "its token"}``; ``emu.stop()``.
"""

from emulators.graph.state import Fault
from emulators.whatsapp.app import WhatsAppEmulator, create_app
from emulators.whatsapp.state import WhatsAppState, wa_error

__all__ = ["Fault", "WhatsAppEmulator", "WhatsAppState", "create_app", "wa_error"]
