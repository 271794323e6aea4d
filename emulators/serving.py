"""Build an emulator's Flask app; run it in a background thread (tests) or in the
foreground (sandbox)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask import Blueprint, Flask, Response
from werkzeug.serving import BaseWSGIServer, make_server


def build_app(
    name: str,
    blueprints: Iterable[Blueprint],
    before: Callable[[], Response | None],
    after: Callable[[Response], Response] | None = None,
    errors: Mapping[type[Exception], Callable[[Any], Any]] | None = None,
    extensions: Mapping[str, object] | None = None,
) -> Flask:
    """A Flask app named ``name``: ``extensions`` set, the ``before``/``after`` request hooks
    and the ``errors`` handlers (by exception type) registered, then ``blueprints``."""
    app = Flask(name)
    app.extensions.update(extensions or {})
    app.before_request(before)
    if after is not None:
        app.after_request(after)
    for exception, handler in (errors or {}).items():
        app.register_error_handler(exception, handler)
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    return app


class ServerThread:
    """A threaded werkzeug server on 127.0.0.1; ``port=0`` picks a free port."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server: BaseWSGIServer = make_server(host, port, app, threaded=True)
        self.host = host
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> str:
        self._thread.start()
        return self.url

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)


class BackgroundEmulator:
    """``url``/``start``/``stop`` of an emulator whose ``_server`` is made up front."""

    _server: ServerThread

    @property
    def url(self) -> str:
        return self._server.url

    def start(self) -> str:
        return self._server.start()

    def stop(self) -> None:
        self._server.stop()


def serve_until_interrupted(app: Any, host: str, port: int, banner: Callable[[str], str]) -> None:
    """Serve ``app`` in the foreground (a sandbox): print ``banner(url)``, stop on Ctrl-C."""
    server = ServerThread(app, host=host, port=port)
    print(banner(server.start()), flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
