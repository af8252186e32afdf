"""EPCIS queries over a site's log, and SEF/1 stock and tag events exported as EPCIS 2.0. Pure.

    >>> q = EpcisQuery(event_types=("ObjectEvent",), biz_steps=("shipping",))
    >>> q.matches({"type": "ObjectEvent", "bizStep": "shipping"})
    True

A captured event answers as its original (``attrs.epcis``, with ``eventID`` set to its event hash
when it had none). A stock or tag event that came another way (the WMS over SEF/1, RFID readers) is
exported as an ObjectEvent: ``action`` OBSERVE (ADD for a receive), the bizStep of its operation, the
site's ``locations`` read backwards for bizLocation/readPoint (a location the table does not name is
``urn:stockade:loc:<site>:<location>``), and ``eventID`` its own CBV 2.0 hash.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from stockade.events import Envelope, Stock, Tag
from stockade.inventory.epcis.event_hash import event_hash
from stockade.inventory.epcis.identifiers import normalise_epc, to_digital_link
from stockade.inventory.epcis.mapping import cbv_word
from stockade.site import SiteConfig

CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
STEP_OF_OP = {"receive": "receiving", "ship": "shipping", "count": "cycle_counting", "pick": "picking",
              "putaway": "storing", "move": "transporting"}


@dataclass(frozen=True, slots=True)
class EpcisQuery:
    event_types: tuple[str, ...] = ()
    ge_time: datetime | None = None
    lt_time: datetime | None = None
    biz_steps: tuple[str, ...] = ()
    dispositions: tuple[str, ...] = ()
    read_points: tuple[str, ...] = ()
    biz_locations: tuple[str, ...] = ()
    match_epc: tuple[str, ...] = ()
    match_any_epc: tuple[str, ...] = ()
    event_ids: tuple[str, ...] = ()

    def matches(self, event: Mapping[str, Any]) -> bool:  # one line per parameter
        if self.event_types and event.get("type") not in self.event_types:
            return False
        if self.ge_time or self.lt_time:
            ts = _time(event.get("eventTime"))
            if ts is None or (self.ge_time and ts < self.ge_time) or (self.lt_time and ts >= self.lt_time):
                return False
        if self.biz_steps and cbv_word(event.get("bizStep")) not in {cbv_word(s) for s in self.biz_steps}:
            return False
        if self.dispositions and cbv_word(event.get("disposition")) not in {cbv_word(s) for s in self.dispositions}:
            return False
        if self.read_points and not _same_location(event.get("readPoint"), self.read_points):
            return False
        if self.biz_locations and not _same_location(event.get("bizLocation"), self.biz_locations):
            return False
        if self.match_epc and not _any_match(epcs_of(event, False), self.match_epc):
            return False
        if self.match_any_epc and not _any_match(epcs_of(event, True), self.match_any_epc):
            return False
        return not self.event_ids or event.get("eventID") in self.event_ids


def _time(value: object) -> datetime | None:
    try:
        ts = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return ts if ts.tzinfo is not None else None


def _same_location(value: object, wanted: Sequence[str]) -> bool:
    ident = value.get("id") if isinstance(value, Mapping) else None
    if not isinstance(ident, str):
        return False
    key = to_digital_link(ident) or ident
    return any((to_digital_link(w) or w) == key for w in wanted)


def epcs_of(event: Mapping[str, Any], any_epc: bool) -> list[str]:
    """MATCH_epc looks at epcList and childEPCs; MATCH_anyEPC also at parentID, inputs and outputs."""
    fields = ("epcList", "childEPCs") + (("inputEPCList", "outputEPCList") if any_epc else ())
    out = [e for f in fields for e in event.get(f) or () if isinstance(e, str)]
    if any_epc and isinstance(event.get("parentID"), str):
        out.append(event["parentID"])
    return out


def _pattern(value: str) -> re.Pattern[str] | None:
    """``urn:epc:idpat:sgtin:0614141.107346.*`` → a regex over the EPC URNs; None for a plain EPC."""
    if not value.startswith("urn:epc:idpat:"):
        return None
    scheme, _, rest = value[len("urn:epc:idpat:"):].partition(":")
    parts = [re.escape(p) if p != "*" else r"[^.]+" for p in rest.split(".")]
    return re.compile(rf"^urn:epc:id:{re.escape(scheme)}:" + r"\.".join(parts) + "$")


def _any_match(epcs: Sequence[str], wanted: Sequence[str]) -> bool:
    canon = {to_digital_link(e) or e for e in epcs}
    for w in wanted:
        pattern = _pattern(w)
        if pattern is not None:
            if any(pattern.match(e) for e in epcs):
                return True
        elif (to_digital_link(w) or w) in canon:
            return True
    return False


def index_epc(value: str, site: SiteConfig) -> str | None:
    """The entity-index id of a MATCH_epc value (the one form of SEF/1), or None for a pattern."""
    if _pattern(value) is not None:
        return None
    return normalise_epc(value, frozenset(s.sku.split(".", 1)[0] for s in site.skus if "." in s.sku))


def _location_id(site: SiteConfig, reverse: Mapping[str, str], location: str | None) -> dict[str, str] | None:
    if location is None:
        return None
    found = reverse.get(location) or reverse.get(location.split("/", 1)[0])
    return {"id": found or f"urn:stockade:loc:{quote(site.site, safe='')}:{quote(location, safe='')}"}


def reverse_locations(site: SiteConfig) -> dict[str, str]:
    out: dict[str, str] = {}
    for ident, location in site.locations.items():
        out.setdefault(location, ident)
    return out


def _offset(ts: datetime) -> str:
    off = ts.utcoffset()
    minutes = int(off.total_seconds() // 60) if off is not None else 0
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def to_epcis(event: Envelope, site: SiteConfig, reverse: Mapping[str, str]) -> dict[str, Any] | None:
    """The EPCIS event of a stock or tag event; None for other kinds."""
    attrs = event.attrs or {}
    original = attrs.get("epcis")
    if isinstance(original, dict) and isinstance(attrs.get("event_hash"), str):
        out = {k: v for k, v in original.items() if k != "@context"}
        out.setdefault("eventID", attrs["event_hash"])
        return out
    ts = event.ts
    base: dict[str, Any] = {"type": "ObjectEvent", "eventTime": ts.isoformat(), "eventTimeZoneOffset": _offset(ts)}
    if isinstance(event, Tag):
        reader = next((r for r in site.readers if r.id == event.reader), None)
        base |= {"epcList": [event.epc], "action": "OBSERVE",
                 "readPoint": _location_id(site, reverse, reader.zone if reader else None)
                 or {"id": f"urn:stockade:reader:{quote(site.site, safe='')}:{quote(event.reader, safe='')}"}}
    elif isinstance(event, Stock):
        base |= {"epcList": list(event.epcs or ()), "action": "ADD" if event.op == "receive" else "OBSERVE"}
        if event.sku and event.qty is not None and not event.epcs:
            base["quantityList"] = [{"epcClass": f"urn:epc:idpat:sgtin:{event.sku}.*", "quantity": abs(event.qty)}]
        reason = (event.reason or "").lower()
        if event.op == "adjust" and reason in ("stolen", "destroyed"):
            base["disposition"] = reason
        elif event.op in STEP_OF_OP:
            base["bizStep"] = STEP_OF_OP[event.op]
        where = event.to if event.op in ("receive", "putaway", "move", "count") else event.from_
        if (loc := _location_id(site, reverse, where)) is not None:
            base["bizLocation"] = loc
        if event.from_ and event.op in ("putaway", "move") and (rp := _location_id(site, reverse, event.from_)):
            base["readPoint"] = rp
        transactions = [("po", event.order), ("desadv", event.shipment)]
        if any(v for _, v in transactions):
            base["bizTransactionList"] = [{"type": t, "bizTransaction": f"urn:stockade:bt:{quote(v, safe='')}"}
                                          for t, v in transactions if v]
    else:
        return None
    base["eventID"] = event_hash(base)
    return base


def query_document(events: Sequence[Mapping[str, Any]], created: datetime) -> dict[str, Any]:
    return {"@context": [CONTEXT], "type": "EPCISQueryDocument", "schemaVersion": "2.0",
            "creationDate": created.isoformat(),
            "epcisBody": {"queryResults": {"queryName": "SimpleEventQuery",
                                           "resultsBody": {"eventList": list(events)}}}}
