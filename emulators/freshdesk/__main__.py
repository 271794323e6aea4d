"""Sandbox: ``python -m emulators.freshdesk --port 9300 --api-key KEY``."""

from __future__ import annotations

import argparse

from ..serving import serve_until_interrupted
from .app import create_app
from .state import Automation, EmulatorState


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m emulators.freshdesk", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9300)
    parser.add_argument("--api-key", default="secret")
    parser.add_argument(
        "--rate-limit", type=int, default=None, help="requests per minute (default: unlimited)"
    )
    parser.add_argument("--search-lag", type=float, default=0.0,
                        help="seconds before a new ticket shows up in search")
    parser.add_argument("--webhook-url", default=None,
                        help="automation rule: POST {\"ticket_id\"} here on ticket updates")
    parser.add_argument("--webhook-secret", default="", help="sent as X-Bridge-Secret")
    args = parser.parse_args(argv)
    state = EmulatorState(api_key=args.api_key)
    state.rate_limit_per_minute = args.rate_limit
    state.search_lag = args.search_lag
    if args.webhook_url:
        state.automation = Automation(url=args.webhook_url, secret=args.webhook_secret)
    serve_until_interrupted(
        create_app(state), args.host, args.port,
        lambda url: f"Freshdesk emulator on {url}  (basic auth: {args.api_key}:X); Ctrl-C stops",
    )


if __name__ == "__main__":
    main()
