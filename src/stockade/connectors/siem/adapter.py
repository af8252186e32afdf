"""The SIEM exporter: one worker per destination follows each site's log from its durable cursor.

    >>> exporter = SiemExporter(settings, log, sites=["dc-demo"])      # doctest: +SKIP
    >>> exporter.start()  # doctest: +SKIP

For each destination and site the cursor is the last sequence number sent; the
worker reads the findings after it (alerts, incidents, decisions, as the
destination asks), sends them as one batch, and only then moves the cursor. A
restart resumes from the cursor, so nothing is lost; a crash between the send
and the cursor's update sends that batch again, and the SIEM recognises it by
the findings' stable ids (``metadata.uid``, Elasticsearch ``_id``). An
unreachable SIEM is retried with backoff while the cursor waits.
"""

from __future__ import annotations

import logging
import socket
import ssl
import threading
from collections.abc import Sequence
from typing import Protocol

import httpx

from stockade.connectors.base import Health
from stockade.connectors.siem import mapping
from stockade.connectors.siem.config import SiemDestination, SiemSettings
from stockade.connectors.siem.mapping import Finding
from stockade.events import Alert, Decision, Envelope, Incident

log = logging.getLogger(__name__)


class FindingLog(Protocol):
    def findings(self, site: str, after_seq: int, kinds: tuple[str, ...], limit: int) -> list[tuple[int, Envelope]]:
        """A site's outputs of these kinds after ``after_seq``, in log order."""
        ...

    def cursor_get(self, destination: str, site: str) -> int: ...

    def cursor_set(self, destination: str, site: str, seq: int) -> None: ...


class SendError(Exception):
    """One batch could not be handed to the SIEM; it is sent again."""


class _Syslog:
    def __init__(self, dest: SiemDestination) -> None:
        self.dest = dest
        self._sock: socket.socket | None = None

    def _connect(self) -> socket.socket:
        raw = socket.create_connection((self.dest.host, self.dest.port), timeout=self.dest.timeout_s)
        if not self.dest.tls:
            return raw
        ctx = ssl.create_default_context(cafile=str(self.dest.ca_file) if self.dest.ca_file else None)
        return ctx.wrap_socket(raw, server_hostname=self.dest.host)

    def send(self, findings: Sequence[tuple[int, Finding]]) -> None:
        frames = b"".join(mapping.syslog_frame(e, mapping.message(e, seq, self.dest.format),
                                               facility=self.dest.facility, hostname=self.dest.hostname)
                          for seq, e in findings)
        try:
            if self._sock is None:
                self._sock = self._connect()
            self._sock.sendall(frames)
        except OSError as e:
            self.close()
            raise SendError(f"syslog {self.dest.host}:{self.dest.port}: {e}") from e

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


class _Http:
    def __init__(self, dest: SiemDestination, transport: httpx.BaseTransport | None) -> None:
        self.dest = dest
        headers = {}
        if dest.token is not None:
            scheme = "Splunk" if dest.style == "hec" else "Bearer"
            headers["Authorization"] = f"{scheme} {dest.token.get_secret_value()}"
        self._client = httpx.Client(headers=headers, timeout=dest.timeout_s, transport=transport)

    def send(self, findings: Sequence[tuple[int, Finding]]) -> None:
        body, content_type = mapping.http_body(list(findings), self.dest.style, self.dest.index)
        if self.dest.url is None:
            raise SendError("this destination has no url to post to")
        try:
            response = self._client.post(self.dest.url, content=body, headers={"content-type": content_type})
        except httpx.HTTPError as e:
            raise SendError(f"{self.dest.url}: {e}") from e
        if not 200 <= response.status_code < 300:
            raise SendError(f"{self.dest.url}: HTTP {response.status_code} {response.text[:200]}")
        if self.dest.style == "bulk" and b'"errors":true' in response.content.replace(b" ", b""):
            raise SendError(f"{self.dest.url}: the bulk request reported item errors")

    def close(self) -> None:
        self._client.close()


class SiemExporter:
    def __init__(self, settings: SiemSettings, findings: FindingLog, sites: Sequence[str], *,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings
        self.log = findings
        self.sites = list(sites)
        self.health = Health("siem", "siem")
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._senders = {name: (_Syslog(d) if d.transport == "syslog" else _Http(d, transport))
                         for name, d in settings.destinations.items()}
        for name, d in settings.destinations.items():
            if d.transport == "http" and d.url is None:
                raise ValueError(f"connectors.siem.destinations.{name}: an http destination needs a url")

    def start(self) -> None:
        self.health.set_state("idle")
        for name in self._senders:
            t = threading.Thread(target=self._run, args=(name,), name=f"stockade-siem-{name}", daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=15)
        for s in self._senders.values():
            s.close()
        self.health.set_state("stopped")

    def _run(self, name: str) -> None:
        wait = 0.5
        while not self._stop.is_set():
            try:
                sent = self.export_once(name)
                wait = 0.5
            except SendError as e:
                self.health.error(str(e))
                self.health.set_state("disconnected")
                log.warning("SIEM %s: %s; retrying in %.1fs", name, e, wait)
                self._stop.wait(wait)
                wait = min(wait * 2, self.settings.retry_max_s)
                continue
            if not sent:
                self._stop.wait(self.settings.poll_s)

    def export_once(self, name: str) -> int:
        """Send what each site's log holds after the cursor, batch by batch. Returns findings sent."""
        dest = self.settings.destinations[name]
        sender = self._senders[name]
        sent = 0
        for site in dest.sites or self.sites:
            cursor = self.log.cursor_get(name, site)
            while not self._stop.is_set():
                rows = self.log.findings(site, cursor, tuple(dest.kinds), dest.batch)
                if not rows:
                    break
                batch = [(seq, e) for seq, e in rows if isinstance(e, Alert | Incident | Decision)]
                if batch:
                    sender.send(batch)
                cursor = rows[-1][0]
                self.log.cursor_set(name, site, cursor)
                sent += len(batch)
                self.health.message(len(batch))
                self.health.set_state("connected")
        return sent
