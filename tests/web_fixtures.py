"""What the dashboard's tests share: a clock the test moves, and a key for each kind of desk user."""

from __future__ import annotations

from stockade.node.keys import new_key
from stockade.node.runtime import Node

DESK_KEYS = (("read", ("read",), None), ("analyst", ("analyst",), None), ("admin", ("admin",), None),
             ("ingest", ("ingest",), "dc-demo"), ("other", ("read",), "dc-other"), ("clerk", ("analyst",), None))
ANALYST_ROLES = ("security-lead",)
"""The desk's analyst approves the shipped playbooks' steps (blind-and-grab's lock needs a security lead); the
clerk is an analyst with no role, who works incidents but approves only steps that name none."""


class Clock:
    """The sessions' clock: a test moves ``now`` to make a session idle."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def desk_keys(node: Node) -> dict[str, str]:
    """A key of each kind (the ingest key bound to dc-demo's ctl-1, "other" to another site), stored."""
    keys: dict[str, str] = {}
    for name, scopes, site in DESK_KEYS:
        token, record = new_key(scopes, site=site, sources=("ctl-1",) if name == "ingest" else (),
                                roles=ANALYST_ROLES if name == "analyst" else ())
        node.store.put_key(record)
        keys[name] = token
    return keys
