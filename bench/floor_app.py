"""The floor for the acknowledgement benchmark: a Messenger webhook handler that does only
what "durable before the 200" needs, and nothing the bridge does besides.

It checks the signature on the raw bytes, reads the JSON, and commits one inbox row per
messaging item through the bridge's own grouped INSERT (``ingest.store_rows``), then gives
a fixed answer. No typed models, no accounts, receipts, metrics or broker: whatever
``/webhooks/meta`` measures below this handler is the cost of the rest of the bridge, and
what this one measures below the bare route is the cost of durability on the machine.

Its rows are the raw items under the channel ``bench_floor``, which no worker reads: run
the benchmark on a scratch database, as ``bench.webhook_ack`` expects.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime

from flask import Flask, Response, request

from bridge import ingest
from bridge.db import db_time, get_engine
from bridge.errors import SignatureError
from bridge.social import meta

JSON = "application/json"


def create_app() -> Flask:
    app = Flask("floor")
    secret = os.environ.get("META_APP_SECRET", "")
    # One time for every row: reading each item's time would be parsing.
    sqlite_dialect = get_engine().dialect.name == "sqlite"
    sent_at = db_time(datetime(2016, 4, 7, 1, 11, 27, tzinfo=UTC), sqlite_dialect)

    @app.post("/webhooks/meta")
    def receive() -> Response:
        body = request.get_data()
        try:
            meta.verify_signature(body, request.headers.get(meta.SIGNATURE_HEADER), secret)
        except SignatureError:
            return Response('{"status":"unauthorized"}', status=401, mimetype=JSON)
        try:
            data = json.loads(body)
            rows = [("bench_floor", entry["id"], item["message"]["mid"], item["sender"]["id"],
                     json.dumps(item), sent_at)
                    for entry in data["entry"] for item in entry["messaging"]]
        except (ValueError, KeyError, TypeError):
            return Response('{"status":"bad_request"}', status=400, mimetype=JSON)
        ingest.store_rows(rows, sqlite_dialect)
        return Response('{"status":"accepted"}', status=200, mimetype=JSON)

    return app
