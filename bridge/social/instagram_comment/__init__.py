"""Instagram comments: ``object == "instagram"`` webhooks, ``changes`` with field ``comments``."""
