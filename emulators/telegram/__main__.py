"""Sandbox: ``python -m emulators.telegram --port 9400 --token 123456:TEST``.

Then set ``TELEGRAM_API_BASE_URL=http://127.0.0.1:9400`` and ``TELEGRAM_BOT_TOKEN`` to the
same token (the bridge reads the bot id from the digits before the colon);
``GET /_emulator/sent`` lists what the bridge sent, ``POST /_emulator/files`` makes a file
known to ``getFile``, ``POST /_emulator/chats`` blocks a chat or registers its messages.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from werkzeug.serving import run_simple

from emulators.telegram.app import create_app
from emulators.telegram.spec import DEFAULT_SPEC
from emulators.telegram.state import TelegramState


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m emulators.telegram", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9400)
    parser.add_argument("--token", default="123456:TEST", help="the bot token to accept")
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC,
                        help="Bot API OpenAPI file for request checks (skipped when absent)")
    args = parser.parse_args(argv)
    state = TelegramState(token=args.token, spec_path=args.spec)
    checks = "checked against " + str(args.spec) if state.validating else "not checked (no spec)"
    print(f"Telegram emulator for bot {state.bot_id} on http://{args.host}:{args.port}; "
          f"request bodies {checks}", file=sys.stderr)
    run_simple(args.host, args.port, create_app(state), threaded=True)


if __name__ == "__main__":
    main()
