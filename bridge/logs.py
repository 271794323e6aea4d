"""Structured logs (structlog) to stdout, one JSON object per line."""

from __future__ import annotations

import logging
import os
import sys

import structlog

_done = False


def configure() -> None:
    global _done
    if _done:
        return
    _done = True
    level = getattr(logging, os.environ.get("BRIDGE_LOG_LEVEL", "INFO").upper(), logging.INFO)
    logging.basicConfig(stream=sys.stdout, level=level, format="%(message)s")
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stdout),
        cache_logger_on_first_use=True,
    )
