"""One process writes a data directory: an exclusive ``flock`` on ``<data>/.lock``.

Two nodes on one directory would interleave sequence numbers and corrupt the
ledger's tiles; the second one is refused with the first one's pid.

    >>> import tempfile
    >>> data = Path(tempfile.mkdtemp())
    >>> lock = DataDirLock.acquire(data)
    >>> DataDirLock.acquire(data)                           # doctest: +ELLIPSIS
    Traceback (most recent call last):
    stockade.node.lock.DataDirBusyError: ... is in use by another Stockade process (pid ...); stop it, ...
    >>> lock.release()
    >>> DataDirLock.acquire(data).release()                 # free again
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from stockade.errors import StockadeError


class DataDirBusyError(StockadeError):
    pass


class DataDirLock:
    def __init__(self, fd: int, path: Path) -> None:
        self._fd = fd
        self.path = path

    @classmethod
    def acquire(cls, data_dir: Path) -> DataDirLock:
        data_dir.mkdir(parents=True, exist_ok=True)
        path = data_dir / ".lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise DataDirBusyError(
                f"{data_dir} is in use by another Stockade process (pid {holder}); stop it, "
                "or send events to its API instead"
            ) from e
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        return cls(fd, path)

    def release(self) -> None:
        if self._fd >= 0:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = -1
