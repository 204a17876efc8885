"""Who is asking, and whether the request may be served: API tokens (constant-time compare),
page sessions after a login, CSRF tokens on forms, same-origin checks and body size limits."""
from __future__ import annotations

import getpass
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Mapping

SESSION_COOKIE = "deckgen_session"
CSRF_COOKIE = "deckgen_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SESSION_SECONDS = 12 * 3600
LOCAL_USER = "local"
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded", "text/plain")
_MULTIPART_OVERHEAD = 64 * 1024     # headers and boundaries around an upload
_DRAIN_FACTOR = 8                   # bodies up to 8x their limit are read before the 413 is sent


@dataclass(frozen=True)
class Caller:
    """Who sent a request: a token's name, a logged-in user, or the person at this machine."""

    name: str
    kind: str = "local"          # "token" (Authorization header: no cookie, no CSRF), "session", "local"

    @property
    def label(self) -> str:
        """How the manifest names this caller ("token:crm-button", "user:alice", "local:maria")."""
        prefix = {"token": "token", "session": "user"}.get(self.kind, LOCAL_USER)
        return f"{prefix}:{self.name}"


def local_caller() -> Caller:
    """The caller of a loopback server without tokens: the account the server runs under."""
    return Caller(_os_user())


def _os_user() -> str:
    # loopback callers are people on this machine; the account the server runs under names them
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def token_owner(token: str, tokens: Mapping[str, str]) -> str | None:
    """Return the name whose token is ``token``, comparing with every token in constant time."""
    found = None
    given = token.encode()
    for name, expected in tokens.items():
        if hmac.compare_digest(given, expected.encode()):
            found = name
    return found


class Sessions:
    """Page logins: a random session id (HttpOnly cookie) -> the user name, expiring."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: dict[str, tuple[str, float]] = {}

    def open(self, name: str) -> str:
        session = secrets.token_urlsafe(32)
        with self._lock:
            now = time.monotonic()
            self._sessions = {k: v for k, v in self._sessions.items() if v[1] > now}
            self._sessions[session] = (name, now + SESSION_SECONDS)
        return session

    def user(self, session: str | None) -> str | None:
        if not session:
            return None
        with self._lock:
            found = self._sessions.get(session)
        if found is None or found[1] < time.monotonic():
            return None
        return found[0]

    def close(self, session: str | None) -> None:
        with self._lock:
            self._sessions.pop(session or "", None)


def csrf_matches(sent: str | None, cookie: str | None) -> bool:
    """True when the CSRF token sent with a form equals the one in the page's cookie."""
    return bool(sent and cookie) and hmac.compare_digest(sent.encode(), cookie.encode())


def same_origin(headers: Mapping[str, str]) -> bool:
    """False when a browser says the request comes from another site (Origin differs from Host)."""
    origin = headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    host = headers.get("host", "")
    return origin.split("://", 1)[-1].rstrip("/") == host


class BodyTooLarge(Exception):
    """The request body is larger than its limit."""

    def __init__(self, limit: int):
        self.limit = limit
        super().__init__(limit)


ASGIApp = Callable[[dict, Callable[[], Awaitable[dict]], Callable[[dict], Awaitable[None]]], Awaitable[None]]


class BodyLimit:
    """ASGI middleware: refuse bodies over the limit (multipart uploads get ``max_upload``),
    by Content-Length up front and by counting while streaming."""

    def __init__(self, app: ASGIApp, *, max_body: int, max_upload: int,
                 on_too_large: Callable[[int], Any]):
        self.app = app
        self.max_body = max_body
        self.max_upload = max_upload
        self.on_too_large = on_too_large

    async def __call__(self, scope: dict, receive: Callable[[], Awaitable[dict]],
                       send: Callable[[dict], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        limit = (self.max_upload + _MULTIPART_OVERHEAD
                 if headers.get("content-type", "").startswith("multipart/") else self.max_body)
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            if "expect" not in headers and int(length) <= _DRAIN_FACTOR * limit:
                # read (and drop) a moderately oversized body first: a client still sending when
                # the answer comes sees a broken pipe instead of the 413 (one with
                # "Expect: 100-continue" gets the answer before it sends anything)
                while (await receive()).get("more_body", False):
                    pass
            await self.on_too_large(limit)(scope, receive, send)
            return
        received = 0

        async def limited() -> dict:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, limited, send)
