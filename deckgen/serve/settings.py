"""How a server runs: address, pool and queue sizes, limits, timeouts, and who may use it."""
from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from deckgen.config import ProjectConfig
from deckgen.errors import ConfigError

TOKENS_ENV = "DECKGEN_SERVE_TOKENS"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
MiB = 1024 * 1024


def is_loopback(host: str) -> bool:
    """True when ``host`` is only reachable from this machine (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_name(host_header: str) -> str:
    """The host of a Host header without its port ("[::1]:8000" -> "::1")."""
    if host_header.startswith("["):
        return host_header[1:].split("]", 1)[0]
    return host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header


def env_tokens(text: str | None) -> dict[str, str]:
    """Return the tokens of ``DECKGEN_SERVE_TOKENS`` ("name=token,name2=token2")."""
    tokens: dict[str, str] = {}
    for item in (text or "").split(","):
        if not item.strip():
            continue
        name, sep, token = item.partition("=")
        if not sep or not name.strip() or len(token.strip()) < 16:
            raise ConfigError(f"{TOKENS_ENV}: expected NAME=TOKEN items separated by ',' with tokens "
                              f"of at least 16 characters", hint="e.g. crm-button=<a long random token>")
        tokens[name.strip()] = token.strip()
    return tokens


@dataclass(frozen=True)
class ServeSettings:
    """Everything a server needs besides the project; validated by ``check``."""

    config: ProjectConfig
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    workers: int = 2                    # build processes
    queue: int = 32                     # builds waiting for a worker before requests get 503
    build_timeout: float = 120.0        # seconds a request waits for its build (or PDF)
    request_timeout: float = 30.0       # seconds for everything else (plan, search, thumbnails)
    max_body: int = 1 * MiB             # JSON request bodies
    max_upload: int = 5 * MiB           # logo uploads
    reload: bool = True                 # watch library and recipes, reload on change
    thumbnails: bool = True             # render library thumbnails (LibreOffice) for the page
    tokens: Mapping[str, str] = field(default_factory=dict)    # name -> API token

    @property
    def output(self) -> Path:
        """The folder served builds go to (with their manifest): OUTPUT/serve of the project."""
        return self.config.output / "serve"

    @property
    def requires_login(self) -> bool:
        """Tokens are asked for whenever some are configured, and always beyond loopback."""
        return bool(self.tokens) or not is_loopback(self.host)

    def check(self) -> None:
        """Raise ConfigError for settings a server must not start with."""
        if not is_loopback(self.host) and not self.tokens:
            raise ConfigError(f"listening on {self.host} makes decks reachable from other machines, "
                              "so API tokens are required",
                              hint=f"add 'serve: tokens: {{NAME: TOKEN}}' to deckgen.yaml or set "
                                   f"{TOKENS_ENV}=NAME=TOKEN, or keep the default --host {DEFAULT_HOST}")
        for name, value in (("--workers", self.workers), ("--queue", self.queue)):
            if value < 1:
                raise ConfigError(f"{name} must be at least 1, got {value}")
        if not 0 < self.port < 65536:
            raise ConfigError(f"--port must be between 1 and 65535, got {self.port}")


def project_tokens(config: ProjectConfig, environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """Return the API tokens of deckgen.yaml's ``serve.tokens`` and of the environment (which wins)."""
    tokens = dict(config.serve.tokens)
    tokens.update(env_tokens(environ.get(TOKENS_ENV)))
    return tokens
