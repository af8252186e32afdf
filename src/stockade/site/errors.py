"""Errors of the site package.

    StockadeError
    └── SiteConfigError      a site file that cannot be used: names the file, the field, the problem
"""

from __future__ import annotations

from stockade.errors import StockadeError


class SiteConfigError(StockadeError):
    def __init__(self, source: str, problems: str) -> None:
        super().__init__(f"{source}:\n  " + problems.replace("\n", "\n  "))
        self.source = source
        self.problems = problems
