"""Sandbox: ``python -m emulators.zendesk --port 9100 --email agent@example.com --token secret``."""

from __future__ import annotations

import argparse

from ..serving import serve_until_interrupted
from .app import create_app
from .state import EmulatorState


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m emulators.zendesk", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9100)
    parser.add_argument("--email", default="agent@example.com")
    parser.add_argument("--token", default="secret")
    parser.add_argument(
        "--rate-limit", type=int, default=None, help="requests per minute (default: unlimited)"
    )
    args = parser.parse_args(argv)
    state = EmulatorState(email=args.email, token=args.token)
    state.rate_limit_per_minute = args.rate_limit
    serve_until_interrupted(
        create_app(state), args.host, args.port,
        lambda url: f"Zendesk emulator on {url}  (basic auth: {args.email}/token:{args.token}); "
        "Ctrl-C stops",
    )


if __name__ == "__main__":
    main()
