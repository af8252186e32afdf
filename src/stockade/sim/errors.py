"""Errors of the simulator.

    StockadeError
    └── ScenarioError      a scenario that cannot run: names the file, the field and the problem

    >>> str(ScenarioError("week.yaml", "attacks[2].actor", "person 'x' is not in the site"))
    "week.yaml: attacks[2].actor: person 'x' is not in the site"
"""

from __future__ import annotations

from stockade.errors import StockadeError


class ScenarioError(StockadeError):
    def __init__(self, file: str, field: str, problem: str) -> None:
        where = f"{file}: {field}" if field else file
        super().__init__(f"{where}: {problem}")
        self.file = file
        self.field = field
        self.problem = problem
