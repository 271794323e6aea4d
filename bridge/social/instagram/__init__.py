"""Instagram DMs: ``object == "instagram"`` webhooks, ``entry[].messaging``."""
