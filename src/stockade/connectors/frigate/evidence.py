"""The evidence-store port against Frigate's HTTP API: keep the incident's clips past retention.

``retain(intent_id, RetainRequest)`` calls ``POST /api/events/<id>/retain`` for
each clip (a Frigate event id, kept in SEF/1 ``video`` events as ``track``).
Retaining twice is harmless in Frigate, and an intent already carried out is
not sent again. Clip ids are checked against Frigate's id shape before they go
into a URL; a clip Frigate does not know (404) fails the request like any other
error, with ``PortError`` naming the clip and the status.

    >>> store = FrigateEvidence("http://frigate:5000")                        # doctest: +SKIP
    >>> store.retain("intent-9", RetainRequest("dc-demo", "inc-1", ("1718987128.947436-g92ztx",)))  # doctest: +SKIP
"""

from __future__ import annotations

import re
import threading

import httpx

from stockade.response.ports import PortError, RetainRequest

CLIP_ID = re.compile(r"^[0-9]{1,12}\.[0-9]{1,9}-[a-z0-9]{1,16}$")


class FrigateEvidence:
    def __init__(self, api_url: str, *, token: str | None = None, timeout_s: float = 5.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._client = httpx.Client(base_url=api_url.rstrip("/"), headers=headers, timeout=timeout_s,
                                    transport=transport)
        self._done: set[str] = set()
        self._lock = threading.Lock()

    def retain(self, intent_id: str, request: RetainRequest) -> None:
        with self._lock:
            if intent_id in self._done:
                return
        bad = [c for c in request.clips if not CLIP_ID.match(c)]
        if bad:
            raise PortError(f"not Frigate event ids: {', '.join(b[:40] for b in bad)}")
        for clip in request.clips:
            try:
                response = self._client.post(f"/api/events/{clip}/retain")
            except httpx.HTTPError as e:
                raise PortError(f"Frigate could not be asked to retain {clip}: {e}") from e
            if response.status_code >= 300 or not _succeeded(response):
                raise PortError(f"Frigate refused to retain {clip}: HTTP {response.status_code} "
                                f"{response.text[:200]}")
        with self._lock:
            self._done.add(intent_id)

    def close(self) -> None:
        self._client.close()


def _succeeded(response: httpx.Response) -> bool:
    """Frigate answers ``{"success": true, "message": "Event <id> retained"}``."""
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("success") is True
