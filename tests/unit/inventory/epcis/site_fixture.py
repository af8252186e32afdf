"""A small site with an EPCIS locations table, shared by the EPCIS tests."""

from __future__ import annotations

import json
from typing import Any

from stockade.site import SiteConfig, parse_site
from tests.shared_vectors import vectors

EXAMPLES = vectors("epcis", "JSON")
DOCK_IN = "urn:epc:id:sgln:0614141.00777.0"
STORAGE_BIN = "urn:epc:id:sgln:0614141.00777.12"
DOCK_OUT = "urn:epc:id:sgln:0614141.00888.0"


def example_locations() -> dict[str, str]:
    """Every readPoint and bizLocation of the GS1 examples, mapped to storage."""
    out: dict[str, str] = {}
    for path in EXAMPLES.rglob("*.jsonld"):
        _collect(json.loads(path.read_text()), out)
    return out


def _collect(value: Any, out: dict[str, str]) -> None:
    if isinstance(value, dict):
        for key in ("readPoint", "bizLocation"):
            if isinstance(value.get(key), dict) and isinstance(value[key].get("id"), str):
                out.setdefault(value[key]["id"], "storage")
        for v in value.values():
            _collect(v, out)
    elif isinstance(value, list):
        for v in value:
            _collect(v, out)


def site_data(site: str = "dc-epcis") -> dict[str, Any]:
    return {
        "site": site, "name": "EPCIS test", "timezone": "Europe/Paris",
        "zones": [{"id": "dock-in", "kind": "dock"}, {"id": "storage", "kind": "storage"},
                  {"id": "pack", "kind": "storage"}, {"id": "dock-out", "kind": "dock", "exit": True}],
        "skus": [{"sku": "0614141.107346", "name": "Phone X", "value": 700.0},
                 {"sku": "0614141.107357", "name": "Tablet", "value": 300.0}],
        "sources": [{"id": "wms-1", "kinds": ["stock"]}, {"id": "wms-sef", "kinds": ["stock"]},
                    {"id": "wms", "kinds": ["stock"]}],
        "locations": {**example_locations(), DOCK_IN: "dock-in", STORAGE_BIN: "storage/A-12-3",
                      "https://id.gs1.org/414/0614141008889": "dock-out"},
    }


def make_site(site: str = "dc-epcis") -> SiteConfig:
    return parse_site(site_data(site))


def object_event(step: str | None = "receiving", *, epcs: tuple[str, ...] = ("urn:epc:id:sgtin:0614141.107346.1",),
                 biz: str | None = DOCK_IN, read: str | None = None, time: str = "2026-11-20T10:00:00.000+01:00",
                 **extra: Any) -> dict[str, Any]:
    event: dict[str, Any] = {"type": "ObjectEvent", "eventTime": time, "eventTimeZoneOffset": "+01:00",
                             "epcList": list(epcs), "action": "OBSERVE"}
    if step:
        event["bizStep"] = step
    if biz:
        event["bizLocation"] = {"id": biz}
    if read:
        event["readPoint"] = {"id": read}
    event.update(extra)
    return event


def document(*events: dict[str, Any]) -> dict[str, Any]:
    return {"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
            "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-11-20T10:00:00Z",
            "epcisBody": {"eventList": list(events)}}
