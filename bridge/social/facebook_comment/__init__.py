"""Facebook page comments: ``object == "page"`` webhooks, ``changes`` with field ``feed``."""
