"""Dashboard sessions: an API key exchanged for a cookie, kept on the server only.

Signing in checks the key against the API (``GET /v1/keys/me``); the key itself
stays in the server's memory, never in the browser. The browser holds a random
session id in an HttpOnly, SameSite=Strict cookie (Secure when served over TLS)
and a per-session CSRF token that every state-changing form sends back. A
session ends at sign-out, after ``idle`` without a request, or when the server
restarts (sign in again).

    >>> sessions = Sessions(idle=timedelta(minutes=15))
    >>> s = sessions.create("stk_k1_secret", Identity("k1", ("read",), frozenset({"read"}), None))
    >>> sessions.get(s.id) is s
    True
    >>> sessions.end(s.id); sessions.get(s.id) is None
    True
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

COOKIE = "stockade_session"
MAX_SESSIONS = 10_000


@dataclass(frozen=True, slots=True)
class Identity:
    """What the API says the key may do (``GET /v1/keys/me``)."""

    key_id: str
    scopes: tuple[str, ...]
    grants: frozenset[str]
    site: str | None
    roles: frozenset[str] = frozenset()

    def may(self, scope: str) -> bool:
        return scope in self.grants

    def may_decide(self, needs: Sequence[str]) -> bool:
        """Whether this key may approve or reject a step that needs one of ``needs`` (none: any analyst); the
        API decides (and refuses one's own request), the page only leaves out what would be refused."""
        return "analyst" in self.grants and (not needs or bool(self.roles & set(needs)))


@dataclass(slots=True)
class Session:
    id: str
    token: str
    identity: Identity
    csrf: str
    last_seen: float = field(default=0.0)

    def csrf_ok(self, presented: str | None) -> bool:
        return presented is not None and hmac.compare_digest(presented, self.csrf)


class Sessions:
    def __init__(self, idle: timedelta, clock: Callable[[], float] = time.monotonic) -> None:
        self.idle_s = idle.total_seconds()
        self._clock = clock
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def create(self, token: str, identity: Identity) -> Session:
        session = Session(secrets.token_urlsafe(32), token, identity, secrets.token_urlsafe(32), self._clock())
        with self._lock:
            self._expire()
            if len(self._sessions) >= MAX_SESSIONS:  # the oldest goes first: memory stays bounded
                oldest = min(self._sessions.values(), key=lambda s: s.last_seen)
                del self._sessions[oldest.id]
            self._sessions[session.id] = session
        return session

    def get(self, session_id: str | None) -> Session | None:
        """The live session with this id (its idle clock restarts), or None."""
        if not session_id:
            return None
        now = self._clock()
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None:
                return None
            if now - session.last_seen > self.idle_s:
                del self._sessions[session_id]
                return None
            session.last_seen = now
            return session

    def end(self, session_id: str | None) -> None:
        with self._lock:
            self._sessions.pop(session_id or "", None)

    def _expire(self) -> None:
        now = self._clock()
        for sid in [s.id for s in self._sessions.values() if now - s.last_seen > self.idle_s]:
            del self._sessions[sid]
