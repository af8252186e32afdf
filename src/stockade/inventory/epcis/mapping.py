"""EPCIS 2.0 events → SEF/1 ``stock`` events: one per EPCIS event, pure.

    >>> stock = map_event(event, site=site, source="wms-1")        # doctest: +SKIP
    >>> stock.id, stock.op, stock.to                                # doctest: +SKIP
    ('epcis:0f3c…', 'receive', 'dock-in')

The mapping (decided here and in docs/inventory.md):

============================================== ==========================================================
EPCIS                                          SEF/1 ``stock``
============================================== ==========================================================
``disposition`` ``stolen`` or ``destroyed``     ``adjust`` from the location, ``reason`` = the disposition,
                                               ``qty`` = minus the items (a write-off), whatever the bizStep
bizStep ``destroying`` / ``decommissioning``    ``adjust``, reason ``destroyed`` / ``decommissioned``
bizStep ``receiving``                          ``receive`` to the location (refused without one)
bizStep ``shipping``                           ``ship`` from the readPoint (the dock), else the bizLocation
bizStep ``cycle_counting``                     ``count`` of the location
bizStep ``picking``                            ``pick`` from the location, ``order`` = a ``po`` transaction
bizStep ``storing``                            ``putaway`` to the bizLocation, from the readPoint
any other bizStep, or none                     ``move`` to the bizLocation, else to the readPoint's
                                               location, else an observation that moves nothing
============================================== ==========================================================

"The location" is the bizLocation's, else the readPoint's, looked up in the site file's ``locations``
table (keys compared as canonical GS1 Digital Links, so an SGLN URN and its Digital Link are the same
key). An id that is not in the table is **refused** (:class:`MappingError` naming the JSON path): an
unmapped location would put stock nowhere, and reconciliation would count it missing.

Items are ``epcList`` (Object, Transaction), ``childEPCs`` (Aggregation, Association; ``parentID`` is
kept in ``attrs.parent``) or ``outputEPCList`` (Transformation), in the one form of
:func:`~stockade.inventory.epcis.identifiers.normalise_epc`; with no EPCs, one ``quantityList`` element
gives ``sku`` and ``qty``. The id is ``epcis:<hex>`` of the CBV 2.0 event hash, ``attrs.event_hash`` its
``ni:///`` form, ``attrs.epcis`` the original event object, so the log entry proves the original.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from stockade.events import Stock
from stockade.inventory.epcis.event_hash import event_hash
from stockade.inventory.epcis.identifiers import normalise_epc, to_digital_link
from stockade.site import SiteConfig

_WORD = re.compile(r"^(?:https://ref\.gs1\.org/cbv/(?:BizStep|Disp)-|urn:epcglobal:cbv:(?:bizstep|disp):)?(\w+)$")
_CLASS = re.compile(r"^urn:epc:(?:idpat:sgtin|class:lgtin):(\d{6,12})\.(\d{1,7})\.")
GONE_DISPOSITIONS = ("stolen", "destroyed")
MAX_NAME = 256


class MappingError(ValueError):
    """An EPCIS event Stockade cannot map; ``path`` is the JSON path (relative to the event) at fault."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def cbv_word(value: object) -> str | None:
    """``shipping`` for ``shipping``, ``https://ref.gs1.org/cbv/BizStep-shipping`` or the old URN."""
    if not isinstance(value, str):
        return None
    m = _WORD.match(value)
    return m.group(1) if m else value


def location_key(identifier: str) -> str:
    return to_digital_link(identifier) or identifier


def location_table(site: SiteConfig) -> dict[str, str]:
    """The site's ``locations`` keyed by canonical identifier."""
    return {location_key(k): v for k, v in site.locations.items()}


def company_prefixes(site: SiteConfig) -> frozenset[str]:
    return frozenset(s.sku.split(".", 1)[0] for s in site.skus if "." in s.sku)


def _location(event: Mapping[str, Any], field: str, table: Mapping[str, str]) -> str | None:
    value = event.get(field)
    if value is None:
        return None
    ident = value.get("id") if isinstance(value, Mapping) else None
    if not isinstance(ident, str) or not ident:
        raise MappingError(f"$.{field}.id", "a location needs an id")
    found = table.get(location_key(ident))
    if found is None:
        raise MappingError(f"$.{field}.id", f"unknown location {ident!r}: add it to the site file's locations "
                                            "table (id: zone or zone/bin)")
    return found


def _epcs(event: Mapping[str, Any], prefixes: frozenset[str]) -> list[str]:
    kind = event.get("type")
    field = {"AggregationEvent": "childEPCs", "AssociationEvent": "childEPCs",
             "TransformationEvent": "outputEPCList"}.get(str(kind), "epcList")
    out: dict[str, None] = {}
    for i, epc in enumerate(event.get(field) or ()):
        if not isinstance(epc, str) or not 0 < len(epc) <= MAX_NAME:
            raise MappingError(f"$.{field}[{i}]", "an EPC is a URI of 1 to 256 characters")
        out[normalise_epc(epc, prefixes)] = None
    return list(out)


def _quantity(event: Mapping[str, Any]) -> tuple[str | None, int | None]:
    for field in ("quantityList", "childQuantityList", "outputQuantityList"):
        items = event.get(field) or []
        if len(items) == 1 and isinstance(items[0], Mapping):
            q = items[0].get("quantity")
            m = _CLASS.match(str(items[0].get("epcClass", "")))
            sku = f"{m.group(1)}.{m.group(2)}" if m else str(items[0].get("epcClass", ""))[:MAX_NAME] or None
            return sku, int(q) if isinstance(q, int | float) else None
    return None, None


def _transaction(event: Mapping[str, Any], kinds: tuple[str, ...]) -> str | None:
    fallback = None
    for item in event.get("bizTransactionList") or ():
        if not isinstance(item, Mapping) or not isinstance(item.get("bizTransaction"), str):
            continue
        value = str(item["bizTransaction"])[:MAX_NAME]
        if cbv_word(item.get("type")) in kinds:
            return value
        fallback = fallback or value
    return fallback


def _time(event: Mapping[str, Any]) -> datetime:
    text = event.get("eventTime")
    try:
        ts = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError as e:
        raise MappingError("$.eventTime", f"not an RFC 3339 time: {text!r}") from e
    if ts.tzinfo is None:
        raise MappingError("$.eventTime", "the time needs an offset")
    return ts


def map_event(  # one branch per row of the table above
    event: Mapping[str, Any],
    *,
    site: SiteConfig,
    source: str,
    ns: Mapping[str, str] | None = None,
    table: Mapping[str, str] | None = None,
    prefixes: frozenset[str] | None = None,
) -> Stock:
    """The SEF/1 event of one schema-valid EPCIS event; :class:`MappingError` when it cannot be mapped."""
    table = location_table(site) if table is None else table
    prefixes = company_prefixes(site) if prefixes is None else prefixes
    ni = event_hash({k: v for k, v in event.items() if k != "@context"} if "@context" in event else event, ns)
    ts = _time(event)
    step = cbv_word(event.get("bizStep"))
    disposition = cbv_word(event.get("disposition"))
    biz = _location(event, "bizLocation", table)
    read = _location(event, "readPoint", table)
    where = biz or read
    epcs = _epcs(event, prefixes)
    sku, qty = (None, None) if epcs else _quantity(event)
    items = len(epcs) if epcs else qty
    fields: dict[str, Any] = {}
    if disposition in GONE_DISPOSITIONS or step in ("destroying", "decommissioning"):
        reason = disposition if disposition in GONE_DISPOSITIONS else (
            "destroyed" if step == "destroying" else "decommissioned")
        fields = {"op": "adjust", "from_": where, "reason": reason, "qty": -items if items else None}
    elif step == "receiving":
        if where is None:
            raise MappingError("$.bizLocation", "receiving needs a bizLocation or readPoint: where are the goods?")
        fields = {"op": "receive", "to": where, "shipment": _transaction(event, ("desadv", "bol"))}
    elif step == "shipping":
        fields = {"op": "ship", "from_": read or biz, "shipment": _transaction(event, ("desadv", "bol"))}
    elif step == "cycle_counting":
        fields = {"op": "count", "to": where}
    elif step == "picking":
        fields = {"op": "pick", "from_": where, "order": _transaction(event, ("po",))}
    elif step == "storing":
        fields = {"op": "putaway", "to": where, "from_": read if read != where else None}
    else:
        fields = {"op": "move", "to": where}
    attrs: dict[str, Any] = {"event_hash": ni, "epcis": dict(event), "epcis_type": str(event.get("type", ""))}
    if step:
        attrs["biz_step"] = step
    if disposition:
        attrs["disposition"] = disposition
    parent = event.get("parentID")
    if isinstance(parent, str):
        attrs["parent"] = normalise_epc(parent, prefixes)
    if not epcs and sku is not None and fields["op"] != "adjust":
        fields["qty"] = qty
    return Stock(
        id="epcis:" + ni.split(";", 1)[1].split("?", 1)[0], ts=ts, site=site.site, source=source,
        epcs=epcs or None, sku=sku, attrs=attrs, **{k: v for k, v in fields.items() if v is not None},
    )
