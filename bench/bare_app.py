"""The baseline for the acknowledgement benchmark: a bare Flask route, nothing else."""

from __future__ import annotations

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue


def create_app() -> Flask:
    app = Flask("bare")

    @app.post("/webhooks/meta")
    def receive() -> ResponseReturnValue:
        request.get_data()
        return jsonify(status="accepted")

    return app
