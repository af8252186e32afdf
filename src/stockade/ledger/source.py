"""Where a tiled log's files come from: a directory, or an HTTP(S) prefix of any tlog-tiles log.

Both answer ``read(path)`` with the bytes at a tlog-tiles path (``checkpoint``,
``tile/0/x001/234``, ``tile/entries/000.p/5``) or ``None`` when there is no such
file, so the verifier and the log itself do not care where a log lives.

    >>> src = open_source("./stockade-data/ledger/dc-paris-1")            # doctest: +SKIP
    >>> src = open_source("https://tlog.example/log/")                   # doctest: +SKIP
    >>> src.read("checkpoint")                                           # doctest: +SKIP
"""

from __future__ import annotations

import os
import queue
import threading
from pathlib import Path
from typing import Protocol

import httpx

from stockade.ledger.errors import TileError


class Source(Protocol):
    def read(self, path: str) -> bytes | None: ...

    def describe(self, path: str) -> str: ...


class TileStore(Source, Protocol):
    """Where a writer keeps a log's tiles, bundles and checkpoints: a directory (:class:`DirSource`)
    or, in a cluster, a table every worker reads (``stockade.store.postgres.tiles``)."""

    def write(self, path: str, data: bytes) -> None:
        """Write a full tile or bundle (immutable once full) or a partial one."""
        ...

    def write_behind(self, path: str, data: bytes) -> None:
        """Write later; ``read`` answers from the pending copy until then."""
        ...

    def write_atomic(self, path: str, data: bytes) -> None:
        """Write so that a reader sees the old or the new bytes, never half."""
        ...

    def flush(self) -> None:
        """Wait until every write so far is stored."""
        ...

    def exists(self, path: str) -> bool: ...


class DirSource:
    """A log laid out on disk at the tlog-tiles paths.

    ``write_behind`` hands a file to a writer thread: creating files is the
    slowest part of appending, and the open/write/close system calls release
    the GIL, so they overlap with hashing on another core. Until a file is on
    disk, ``read`` answers from the pending copy; ``flush`` waits for them all.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._made: set[Path] = set()
        self._pending: dict[str, bytes] = {}
        self._queue: queue.Queue[str] = queue.Queue()
        self._writer: threading.Thread | None = None
        self._failure: OSError | None = None

    def write_behind(self, path: str, data: bytes) -> None:
        if self._failure is not None:
            raise TileError(f"writing {self.describe(path)} failed: {self._failure}") from self._failure
        self._pending[path] = data
        self._queue.put(path)
        if self._writer is None:
            self._writer = threading.Thread(target=self._drain, name=f"tiles:{self.root.name}", daemon=True)
            self._writer.start()

    def _drain(self) -> None:
        while True:
            path = self._queue.get()
            try:
                self.write(path, self._pending[path])
            except OSError as e:
                self._failure = e
            finally:
                self._pending.pop(path, None)  # only after the file is complete on disk
                self._queue.task_done()

    def flush(self) -> None:
        """Wait until every write-behind file is on disk."""
        self._queue.join()
        if self._failure is not None:
            raise TileError(f"writing tiles under {self.root} failed: {self._failure}") from self._failure

    def read(self, path: str) -> bytes | None:
        pending = self._pending.get(path)
        if pending is not None:
            return pending
        try:
            return (self.root / path).read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None

    def write(self, path: str, data: bytes) -> None:
        """Write a tile or bundle in place (they are immutable once full; see SiteLog for why no rename)."""
        target = self.root / path
        parent = target.parent
        if parent not in self._made:
            parent.mkdir(parents=True, exist_ok=True)
            self._made.add(parent)
        with open(target, "wb") as f:
            f.write(data)

    def write_atomic(self, path: str, data: bytes) -> None:
        """Write through a temporary file and a rename, so readers never see half a file."""
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)

    def exists(self, path: str) -> bool:
        return (self.root / path).exists()

    def describe(self, path: str) -> str:
        return str(self.root / path)


class HttpSource:
    """A log served over HTTP(S) by any tlog-tiles implementation."""

    def __init__(self, prefix: str, client: httpx.Client | None = None) -> None:
        self.prefix = prefix.rstrip("/") + "/"
        self.client = client or httpx.Client(timeout=30.0, follow_redirects=True)

    def read(self, path: str) -> bytes | None:
        try:
            r = self.client.get(self.prefix + path)
        except httpx.HTTPError as e:
            raise TileError(f"cannot fetch {self.prefix + path}: {e}") from e
        if r.status_code == 404:
            return None
        if r.status_code != 200:
            raise TileError(f"GET {self.prefix + path} answered {r.status_code}")
        return r.content

    def describe(self, path: str) -> str:
        return self.prefix + path


def open_source(location: str | Path, client: httpx.Client | None = None) -> DirSource | HttpSource:
    """A directory path or an ``http(s)://`` prefix."""
    text = str(location)
    if text.startswith(("http://", "https://")):
        return HttpSource(text, client)
    return DirSource(Path(text))
