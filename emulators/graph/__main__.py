"""Sandbox: ``python -m emulators.graph --port 9200 --page-id 1234567890 --token PAGE_TOKEN``.

Then set ``META_GRAPH_BASE_URL=http://127.0.0.1:9200`` and ``META_PAGE_ACCESS_TOKEN`` to the
same token; ``GET /_emulator/sent`` lists what the bridge sent (DMs, comment replies,
private replies); ``POST /_emulator/comments`` and ``/_emulator/comments/<id>/remove`` set
comments up, ``POST /_emulator/customer_activity`` with ``"platform": "instagram"`` marks
an Instagram user.
"""

from __future__ import annotations

import argparse
import sys

from werkzeug.serving import run_simple

from emulators.graph.app import create_app
from emulators.graph.state import GraphState


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m emulators.graph", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9200)
    parser.add_argument("--page-id", default="1234567890")
    parser.add_argument("--token", default="PAGE_TOKEN", help="the page access token to accept")
    args = parser.parse_args(argv)
    app = create_app(GraphState(page_id=args.page_id, access_token=args.token))
    print(f"Graph emulator for page {args.page_id} on http://{args.host}:{args.port}",
          file=sys.stderr)
    run_simple(args.host, args.port, app, threaded=True)


if __name__ == "__main__":
    main()
