"""Sandbox: ``python -m emulators.whatsapp --port 9500 --phone-number-id 1234567890
--token WA_TOKEN [--template reengage:en_US] [--window-mode async] [--spec FILE]``.

Then set ``META_GRAPH_BASE_URL=http://127.0.0.1:9500``, ``WHATSAPP_PHONE_NUMBER_ID`` and
``WHATSAPP_ACCESS_TOKEN`` to the same values; ``GET /_emulator/sent`` lists what the
bridge sent, ``POST /_emulator/inbound`` makes a customer's webhook body (and opens the
24 h window), ``POST /_emulator/media`` stores a file to be fetched by media id.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from werkzeug.serving import run_simple

from emulators.whatsapp.app import create_app
from emulators.whatsapp.schema import SCHEMAS, relaxed, spec_schemas
from emulators.whatsapp.state import WhatsAppState


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m emulators.whatsapp", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9500)
    parser.add_argument("--phone-number-id", default="1234567890")
    parser.add_argument("--token", default="WA_TOKEN", help="the access token to accept")
    parser.add_argument("--template", action="append", default=[], metavar="NAME:LANGUAGE",
                        help="an approved template (repeatable); hello_world:en_US always is")
    parser.add_argument("--window-mode", choices=("sync", "async"), default="sync",
                        help="refuse late free text at once (sync) or by status webhook")
    parser.add_argument("--spec", type=Path, help="validate sends against this OpenAPI file")
    args = parser.parse_args(argv)
    state = WhatsAppState(phone_number_id=args.phone_number_id, access_token=args.token,
                          window_mode=args.window_mode)
    if args.spec:
        state.schemas = relaxed(spec_schemas(args.spec, list(SCHEMAS)))
    for item in args.template:
        name, _, language = item.partition(":")
        if not name or not language:
            parser.error(f"--template {item!r}: write NAME:LANGUAGE, e.g. reengage:en_US")
        state.templates.add((name, language))
    app = create_app(state)
    print(f"WhatsApp emulator for number {args.phone_number_id} on "
          f"http://{args.host}:{args.port}", file=sys.stderr)
    run_simple(args.host, args.port, app, threaded=True)


if __name__ == "__main__":
    main()
