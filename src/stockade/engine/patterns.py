"""Incident patterns: which story a group of correlated alerts tells, and how bad it is.

Pure rules over the detector ids in an incident. A named pattern is recognised
from the combination of signals; an incident that matches none is named after
its main signal (its most severe alert). Severity rises with the number of
distinct signals, and each named pattern sets a floor.

    >>> m = classify(["STK-DEV-001", "STK-DOR-001", "STK-INV-001"], main="STK-DOR-001")
    >>> m.pattern, m.floor
    ('blind_and_grab', 'critical')
    >>> escalate(base="high", distinct=3, floor=m.floor)
    'critical'
    >>> classify(["STK-ACC-003"], main="STK-ACC-003").pattern
    'cloned_badge'

The catalogue of names is documented in ``docs/incidents.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from stockade.events.model import SEVERITIES, Severity


@dataclass(frozen=True, slots=True)
class Signal:
    """How one detector reads inside an incident: its pattern when alone, and a short label."""

    pattern: str
    label: str


SIGNALS: dict[str, Signal] = {
    "STK-ACC-001": Signal("after_hours_access", "after-hours access"),
    "STK-ACC-002": Signal("badge_probing", "denied-attempt burst"),
    "STK-ACC-003": Signal("cloned_badge", "impossible badge use"),
    "STK-ACC-004": Signal("passback_violation", "anti-passback violation"),
    "STK-ACC-005": Signal("unauthorized_zone_access", "access outside role"),
    "STK-DOR-001": Signal("forced_entry", "door forced"),
    "STK-DOR-002": Signal("propped_door", "door held open"),
    "STK-VID-001": Signal("tailgate_intrusion", "tailgating"),
    "STK-VID-002": Signal("loitering", "loitering"),
    "STK-VID-003": Signal("intrusion", "person in a closed or armed zone"),
    "STK-PER-001": Signal("perimeter_breach", "perimeter breach"),
    "STK-DEV-001": Signal("device_tampering", "device down"),
    "STK-DEV-002": Signal("event_suppression", "events missing"),
    "STK-DEV-003": Signal("alarm_disarmed", "alarm disarmed while closed"),
    "STK-INV-001": Signal("goods_removal", "goods left unexplained"),
    "STK-INV-002": Signal("shrinkage", "stock missing at count"),
    "STK-INV-003": Signal("suspicious_adjustment", "suspicious write-off"),
    "STK-INV-004": Signal("cloned_tag", "cloned tag"),
    "STK-INV-005": Signal("suspect_tag", "stolen or unknown tag"),
    "STK-GAT-001": Signal("fictitious_pickup", "truck not matching appointment"),
    "STK-GAT-002": Signal("seal_mismatch", "seal mismatch"),
    "STK-ADM-001": Signal("privilege_abuse", "privilege abuse"),
    "STK-VEN-001": Signal("vendor_violation", "vendor out of contract"),
    "STK-ANO-001": Signal("anomalous_access", "anomalous access pattern"),
}

# Signals that only support a story: never the main signal while another exists.
SUPPORTING: frozenset[str] = frozenset({"STK-ANO-001"})

# Context signals: while the site is open they are ordinary on their own (people
# work late, habits drift), so alone they open an incident only at this severity
# or worse, and their repeats do not count; they join and colour any incident
# they meet. While the site is closed they count like any other signal.
CONTEXT: dict[str, Severity] = {"STK-ACC-001": "high", "STK-ANO-001": "high"}

BLINDING = frozenset({"STK-DEV-001", "STK-DEV-003"})
INTRUSION = frozenset({"STK-DOR-001", "STK-PER-001", "STK-VID-003", "STK-INV-001"})
GOODS_LEAVING = "STK-INV-001"
AFTER_HOURS = frozenset({"STK-ACC-001", "STK-VID-003"})
STOCK_LOSS = frozenset({"STK-INV-001", "STK-INV-002"})


@dataclass(frozen=True, slots=True)
class Match:
    """A recognised pattern, its human title and the severity it is at least worth."""

    pattern: str
    title: str
    floor: Severity | None = None


def _title(pattern: str) -> str:
    return pattern.replace("_", " ").capitalize()


def classify(detectors: Iterable[str], main: str) -> Match:
    """Name the story told by ``detectors`` (ids of the incident's alerts); ``main`` is the lead signal."""
    ids = frozenset(detectors)
    if ids & BLINDING and ids & INTRUSION:
        floor: Severity = "critical" if GOODS_LEAVING in ids else "high"
        return Match("blind_and_grab", "Blind and grab", floor)
    if "STK-GAT-001" in ids:
        return Match("fictitious_pickup", "Fictitious pickup",
                     "critical" if GOODS_LEAVING in ids else "medium")
    if "STK-INV-003" in ids and ids & STOCK_LOSS:
        return Match("record_cover_up", "Record cover-up", "high")
    if ids & AFTER_HOURS and ids & STOCK_LOSS:
        return Match("insider_after_hours_theft", "Insider after-hours theft", "high")
    if "STK-VID-001" in ids:
        support = ids & {"STK-VID-003", "STK-ACC-005"}
        return Match("tailgate_intrusion", "Tailgate intrusion", "high" if support else "medium")
    signal = SIGNALS.get(main)
    pattern = signal.pattern if signal else _fallback_pattern(main)
    return Match(pattern, _title(pattern))


def _fallback_pattern(detector: str) -> str:
    """A detector outside the catalogue: name the incident after its id."""
    return "signal_" + "".join(c if c.isalnum() else "_" for c in detector.lower())


def label(detector: str) -> str:
    signal = SIGNALS.get(detector)
    return signal.label if signal else detector


def rank(severity: Severity) -> int:
    return SEVERITIES.index(severity)


def escalate(base: Severity, distinct: int, floor: Severity | None = None, repeats: bool = False) -> Severity:
    """Severity of an incident.

    ``base`` is its most severe alert; each distinct signal beyond the first adds a
    level (up to two), a signal that keeps repeating adds one, and a named
    pattern's ``floor`` is a minimum.
    """
    level = rank(base) + min(max(distinct - 1, 0), 2) + (1 if repeats and distinct < 2 else 0)
    if floor is not None:
        level = max(level, rank(floor))
    return SEVERITIES[min(level, len(SEVERITIES) - 1)]
