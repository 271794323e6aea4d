"""Sandbox: ``python -m emulators.x --port 9600``.

Then set ``X_API_BASE_URL=http://127.0.0.1:9600`` and the four keys to the values printed
(or given with the options); ``GET /_emulator/sent`` lists the posts and DMs the bridge
sent, ``POST /_emulator/faults`` injects a 429 (``{"path": "/2/tweets", "status": 429,
"retry_after": 60, "daily": false}``), a 5xx or a delay, ``POST /_emulator/deleted`` and
``POST /_emulator/dm_refusing`` make X refuse replies to a post or DMs to a customer.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from werkzeug.serving import run_simple

from emulators.x.app import create_app
from emulators.x.spec import DEFAULT_SPEC
from emulators.x.state import XState


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m emulators.x", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9600)
    parser.add_argument("--account-id", default="2975699229")
    parser.add_argument("--consumer-key", default="consumer-key")
    parser.add_argument("--consumer-secret", default="consumer-secret")
    parser.add_argument("--access-token", default="2975699229-access-token")
    parser.add_argument("--access-token-secret", default="access-token-secret")
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC,
                        help="X API v2 OpenAPI file for request checks (skipped when absent)")
    args = parser.parse_args(argv)
    state = XState(consumer_key=args.consumer_key, consumer_secret=args.consumer_secret,
                   access_token=args.access_token, access_token_secret=args.access_token_secret,
                   account_id=args.account_id, spec_path=args.spec)
    checks = "checked against " + str(args.spec) if state.validating else "not checked (no spec)"
    print(f"X emulator for account {state.account_id} on http://{args.host}:{args.port}; "
          f"X_CONSUMER_KEY={state.consumer_key} X_CONSUMER_SECRET={state.consumer_secret} "
          f"X_ACCESS_TOKEN={state.access_token} "
          f"X_ACCESS_TOKEN_SECRET={state.access_token_secret}; request bodies {checks}",
          file=sys.stderr)
    run_simple(args.host, args.port, create_app(state), threaded=True)


if __name__ == "__main__":
    main()
