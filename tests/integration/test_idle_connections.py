"""Idle and half-open connections do not block other citizens: waitress as `make run` starts it
(connection limit 2,000, idle channels closed after 30 s) answers a chat turn at once with 150
connections left hanging mid-request."""
from __future__ import annotations

import socket
import time
from urllib.parse import urlparse

import pytest
import requests

pytestmark = pytest.mark.integration


def test_150_half_open_connections_do_not_block_a_citizen(stack):
    url = urlparse(stack.web_url)
    hanging = []
    try:
        for _ in range(150):
            s = socket.create_connection((url.hostname, url.port), timeout=5)
            s.send(b"POST /api/chat HTTP/1.1\r\nHost: x\r\n")      # never finished
            hanging.append(s)
        started = time.monotonic()
        r = requests.post(f"{stack.web_url}/api/chat",
                          json={"sender": "idle-conn-1", "message": "hvad er aktindsigt"},
                          timeout=10)
        assert r.status_code == 200
        assert time.monotonic() - started < 3.0
    finally:
        for s in hanging:
            s.close()
