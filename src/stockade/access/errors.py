"""Errors of the access package.

    StockadeError                 (stockade.errors)
    └── AccessError
        ├── PolicyError           a policy directory that does not load: names the file and the problem
        ├── CaseFileError         a ``policy test`` cases file that cannot be used
        └── UnknownTargetError    a threat level for a site or zone that does not exist

A decision never raises: the decision point turns any failure into a ``deny``
that carries the error in its reasons (fail secure). These errors are for the
people who write policies and cases.

    >>> str(PolicyError("policies/40-risk.cedar", "unexpected token `;`"))
    'policies/40-risk.cedar: unexpected token `;`'
"""

from __future__ import annotations

from stockade.errors import StockadeError


class AccessError(StockadeError):
    """Base of the access package's errors."""


class PolicyError(AccessError):
    """A policy pack that cannot be used; the old pack stays in force."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem


class CaseFileError(AccessError):
    """A cases file for ``stockade policy test`` that cannot be read."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem


class UnknownTargetError(AccessError):
    """A site or zone that the access service does not know."""

    def __init__(self, field: str, value: str) -> None:
        super().__init__(f"unknown {field} {value!r}")
        self.field = field
        self.value = value
