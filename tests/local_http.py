"""A request handler served on a free local port, in a thread: the fake Rasa, a council's
host page and the link checker's test sites all stand on this, so no test needs a network."""
from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class QuietHandler(BaseHTTPRequestHandler):
    """A handler that keeps the test output free of one log line per request."""

    def log_message(self, *args) -> None:
        pass


class LocalHTTPServer:
    """Serves `handler` at `self.url` until `close()`; a fixture writes `with Site() as s:
    yield s`."""

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def free_port() -> int:
    """A local port nothing listens on (bound and let go): a refused connection, or a port
    for a server the test starts."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
