"""TEST-ONLY STAND-IN for a piece of the admin API that may still be missing.

When ``bridge.admin.sources.helpdesk_fields`` answers nothing, it is pointed at the real
field cache (read from the Zendesk emulator). It steps aside by itself once the real piece
is there. (The dry-run endpoints are real now: ``bridge.web.api_dry_run``.)
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from bridge import db


def install(app: Flask, env: pytest.MonkeyPatch) -> None:
    _install_fields(env)


def _install_fields(env: pytest.MonkeyPatch) -> None:
    from bridge.admin import sources
    from bridge.fields import cache

    with db.session() as s:
        if sources.helpdesk_fields(s):
            return

    def cached_fields(session: Any) -> list[dict[str, Any]]:
        return [field.to_json() for field in cache.load(session).fields]

    env.setattr(sources, "helpdesk_fields", cached_fields)
