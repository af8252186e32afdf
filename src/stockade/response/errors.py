"""Errors of incident response.

    ResponseError
    └── PlaybookError      a playbook file refused at load: file, line, field and the reason
"""

from __future__ import annotations

from stockade.errors import StockadeError


class ResponseError(StockadeError):
    """Base of this package's errors."""


class PlaybookError(ResponseError):
    def __init__(self, file: str, line: int | None, field: str, reason: str) -> None:
        self.file, self.line, self.field, self.reason = file, line, field, reason
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: {field}: {reason}")
