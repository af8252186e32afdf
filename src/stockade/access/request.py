"""The typed question a door controller asks, and the answer it gets.

A controller (the policy enforcement point) sends one :class:`AccessRequest` per
badge presentation; the decision point returns an :class:`Answer`.

    >>> from datetime import datetime, timezone
    >>> req = AccessRequest(site="dc-demo", door="D-HV", credential="badge:1020",
    ...                     time=datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc),
    ...                     factors=(Presented("badge"), Presented("fingerprint", score=0.97)))
    >>> req.factor_types()
    ('badge', 'fingerprint')

Secrets never enter here: a PIN arrives as "checked by the controller: yes or
no", a biometric as a match score. Neither the score nor anything else about a
template reaches a policy or the log; policies and the ledger see ``pass`` or
``fail`` only (see :func:`stockade.access.context.factor_outcomes`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from stockade.events.model import Direction, Factor

Result = Literal["allow", "deny", "step_up"]
Outcome = Literal["none", "pass", "fail"]
Score = Annotated[float, msgspec.Meta(ge=0, le=1)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=256)]

BIOMETRIC_FACTORS: frozenset[str] = frozenset({"face", "fingerprint"})


class Presented(msgspec.Struct, frozen=True, forbid_unknown_fields=True, omit_defaults=True):
    """One factor presented at the reader.

    ``verified`` is the controller's PIN check (the PIN itself never leaves the
    controller); ``score`` is a biometric match score from 0 to 1.
    """

    type: Factor
    verified: bool | None = None
    score: Score | None = None


class ReaderPosture(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """What the reader says about itself when it asks."""

    online: bool = True
    tampered: bool = False


class AccessRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """One badge presentation at one door, as the decision point sees it."""

    site: Name
    door: Name
    credential: Name
    time: Annotated[datetime, msgspec.Meta(tz=True)]
    factors: tuple[Presented, ...] = ()
    direction: Direction = "in"
    reader: ReaderPosture = ReaderPosture()

    def factor_types(self) -> tuple[Factor, ...]:
        """The kinds of factor presented, in order, each once."""
        seen: list[Factor] = []
        for f in self.factors:
            if f.type not in seen:
                seen.append(f.type)
        return tuple(seen)


class Answer(msgspec.Struct, frozen=True, kw_only=True):
    """The decision point's answer.

    ``step_up`` names the factor to add when ``result`` is ``step_up``;
    ``policies`` are the ids of the policies that determined the result;
    ``eval_us`` is how long the decision took, in microseconds; ``facts`` are
    the non-secret inputs the policies saw (logged with the decision).
    """

    decision_id: str
    result: Result
    reasons: tuple[str, ...]
    policies: tuple[str, ...]
    policy_hash: str
    at: datetime
    eval_us: float
    step_up: Factor | None = None
    subject: str | None = None
    zone: str | None = None
    facts: Mapping[str, object] = msgspec.field(default_factory=dict)

    @property
    def allowed(self) -> bool:
        return self.result == "allow"
