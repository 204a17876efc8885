"""A real `deckgen serve` process on a free loopback port, for the API, browser and bench cases."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conftest import copy_example_project  # noqa: F401 (the servers' projects)

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Server:
    """A running server: ``call`` sends one request to it."""

    process: subprocess.Popen
    url: str
    project: Path
    log: Path
    headers: dict[str, str] = field(default_factory=dict)

    def call(self, method: str, path: str, body: Any = None, *, headers: dict[str, str] | None = None,
             timeout: float = 300) -> Reply:
        data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        sent = dict(self.headers)
        if body is not None and not isinstance(body, bytes):
            sent["Content-Type"] = "application/json"
        sent.update(headers or {})
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=sent)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return Reply(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read())
        except urllib.error.HTTPError as exc:
            with exc:
                return Reply(exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read())

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_server(project: Path, *args: str, env: dict[str, str] | None = None, host: str = "127.0.0.1",
                 timeout: float = 120) -> Server:
    """Start `deckgen serve` in ``project`` and return once it answers."""
    port = free_port()
    log = project / f"serve-{port}.log"
    environment = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    with log.open("wb") as output:
        process = subprocess.Popen([sys.executable, "-m", "deckgen", "serve", "--host", host, "--port", str(port),
                                    *args], cwd=project, env=environment, stdout=output, stderr=subprocess.STDOUT)
    server = Server(process, f"http://127.0.0.1:{port}", project, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"deckgen serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"deckgen serve did not answer within {timeout} s:\n{log.read_text()}")
