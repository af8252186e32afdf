"""Intents and outcomes as ``action`` events from ``stockade:response``.

Event ids are derived from the intent id and the outcome (``<intent>:planned``,
``<intent>:sent``, …), so logging the same outcome twice is a duplicate the
store ignores, and a ``planned`` event carries the whole intent in
``attrs.payload``: after a crash the executor finds it in the log and sends it
once.

    >>> from datetime import datetime, timezone
    >>> ev = outcome_event(Outcome(site="s", incident="inc-1", playbook="pb", step="pb:page", do="notify",
    ...                            status="skipped", at=datetime(2026, 11, 21, tzinfo=timezone.utc),
    ...                            intent="act-1", detail="run_if not met"))
    >>> ev.id, ev.outcome, ev.target, ev.source
    ('act-1:skipped', 'skipped', 'pb:page', 'stockade:response')
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from stockade.events.model import Action
from stockade.incidents.changes import RESPONSE_SOURCE, TASK_ADD
from stockade.incidents.model import StepStatus
from stockade.response.intents import AddTask, Intent, Outcome, decode_intent, encode_intent, intent_builtins


def _attrs(intent: str, drill: bool, **extra: Any) -> dict[str, Any]:
    attrs: dict[str, Any] = {"intent": intent, **{k: v for k, v in extra.items() if v is not None}}
    if drill:
        attrs["drill"] = True
    return attrs


def intent_event(intent: Intent, status: StepStatus, at: datetime, detail: str | None = None) -> Action:
    """The intent's ``status`` (``planned`` carries the intent itself)."""
    payload = intent_builtins(intent) if status == "planned" else None
    requested_by = getattr(intent, "requested_by", None)
    roles = list(getattr(intent, "roles", ())) or None  # an approval: who may decide it (the API checks)
    do = str(intent_builtins(intent)["do"])
    return Action(id=f"{intent.id}:{status}", ts=at, site=intent.site, source=RESPONSE_SOURCE, action=do,
                  outcome=status, incident=intent.incident, playbook=intent.playbook, target=intent.step,
                  detail=detail, attrs=_attrs(intent.id, intent.drill, payload=payload, requested_by=requested_by,
                                roles=roles))


def task_event(task: AddTask, at: datetime) -> Action:
    name = task.step.rsplit(":", 1)[-1]
    return Action(id=f"{task.id}:task", ts=at, site=task.site, source=RESPONSE_SOURCE, action=TASK_ADD,
                  outcome="ok", incident=task.incident, playbook=task.playbook, target=name, detail=task.title,
                  attrs=_attrs(task.id, task.drill, mandatory=task.mandatory))


def outcome_event(o: Outcome, drill: bool = False) -> Action:
    return Action(id=f"{o.intent}:{o.status}", ts=o.at, site=o.site, source=RESPONSE_SOURCE, action=o.do,
                  outcome=o.status, incident=o.incident, playbook=o.playbook, target=o.step, detail=o.detail,
                  attrs=_attrs(o.intent, drill))


def planned_intent(event: Action) -> Intent | None:
    """The intent a ``planned`` event carries, or None if it is not one (or is malformed)."""
    payload = (event.attrs or {}).get("payload")
    if event.outcome != "planned" or not isinstance(payload, dict):
        return None
    try:
        return decode_intent(encode_intent(payload))
    except ValueError:
        return None
