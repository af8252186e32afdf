"""Who may write what into a site's log: one rule for ingest, the engine and the decision point.

From outside Stockade (a device key, a connector, a file ingested by the
operator), an input event is refused when:

- its source begins with ``stockade:`` (Stockade's own sources);
- its source is not declared in the site file's ``sources:`` and its kind is
  not a device kind (:data:`~stockade.site.sources.DEVICE_KINDS`);
- its source is declared but not for this kind;
- it is an ``admin`` event whose action its declared source may not take, or
  one that sets or clears a threat level (the analyst API or a playbook only).

``tick`` carries nothing but time and passes from any source. The engine and
the decision point apply the same rule to the ``admin`` events they read
(:func:`admitted`): they act only on admin events that Stockade wrote itself
(the admin API under an ``admin`` key, the analyst's threat levels, playbooks)
or that a declared source may send, so a log that reached them another way
(an old log, a file given to ``stockade analyze``) changes nothing.

    >>> refusal(site, admin_event_from_a_door_controller)          # doctest: +SKIP
    Refusal(code='forbidden', field='kind', reason="forbidden: source 'ctl-1' is a device (not in ...")
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from stockade.events.model import Admin, Envelope
from stockade.site.config import SiteConfig
from stockade.site.sources import DEVICE_KINDS, OWN_SOURCE_PREFIX, THREAT_ACTIONS, is_own_source

RefusalCode = Literal["invalid", "forbidden", "signature"]
"""What kind of no: ``invalid`` (not an event this node takes: bad JSON, wrong type, unknown site, too far
ahead…), ``forbidden`` (the writer may not write it: its binding or the site's rules), ``signature`` (a
missing or bad device signature)."""


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why an input event is refused: the kind of no, the field it is about ('' for the line), a sentence.
    A ``forbidden`` reason begins with ``forbidden:``; callers decide on ``code``, never on the text."""

    code: RefusalCode
    field: str
    reason: str


def forbidden(field: str, reason: str) -> Refusal:
    return Refusal("forbidden", field, f"forbidden: {reason}")


def refusal(site: SiteConfig, event: Envelope) -> Refusal | None:
    """Why ``site``'s rules refuse this input event from outside Stockade, or None when they allow it."""
    source, kind = event.source, event.kind
    if kind in DEVICE_KINDS and source not in site.sources_by_id and not is_own_source(source):
        return None  # the common case, a device sending a device kind, in three lookups
    if is_own_source(source):
        return forbidden("source", f"sources beginning {OWN_SOURCE_PREFIX!r} are Stockade's own; "
                                   f"{source!r} cannot be claimed from outside")
    action = event.action if isinstance(event, Admin) else None
    if action in THREAT_ACTIONS:
        return forbidden("action", f"threat levels change only through the analyst API "
                                   f"(PUT/DELETE /v1/access/threat-levels/{site.site}) or a playbook")
    if (why := kind_refusal(site, source, kind, action)) is not None:
        return forbidden("kind", why)
    declared = site.sources_by_id.get(source)
    if action is not None and declared is not None and action not in declared.actions:
        return forbidden("action", f"site {site.site} declares source {source!r} for the admin actions "
                                   f"{', '.join(declared.actions)}, not {action!r}")
    return None


def kind_refusal(site: SiteConfig, source: str, kind: str, action: str | None = None) -> str | None:
    """Why ``source`` may not send ``kind`` events to ``site`` (``action``: for the example), or None."""
    if kind == "tick":
        return None
    declared = site.sources_by_id.get(source)
    if declared is None:
        if kind in DEVICE_KINDS:
            return None
        example = (f"{{id: {source}, kinds: [admin], actions: [{action or 'grant_access'}]}}" if kind == "admin"
                   else f"{{id: {source}, kinds: [{kind}]}}")
        return (f"source {source!r} is a device (not in site {site.site}'s `sources:`) and devices send "
                f"{', '.join(sorted(DEVICE_KINDS))} only; a system that sends {kind} events must be "
                f"declared there: {example}")
    if kind not in declared.kinds:
        return f"site {site.site} declares source {source!r} for {', '.join(declared.kinds)} events, not {kind}"
    return None


def admitted(site: SiteConfig, event: Admin) -> bool:
    """Whether the engine and the decision point act on this admin event of the site's log."""
    return is_own_source(event.source) or refusal(site, event) is None

