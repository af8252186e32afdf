"""The CBV 2.0 Event Hash ID of an EPCIS 2.0 JSON event: a pure, offline implementation.

    >>> h = event_hash({"type": "ObjectEvent", "eventTime": "2020-03-04T11:00:30.000+01:00",
    ...                 "eventTimeZoneOffset": "+01:00", "epcList": ["urn:epc:id:sscc:4012345.0000000333"],
    ...                 "action": "OBSERVE", "bizStep": "shipping"})
    >>> h.startswith("ni:///sha-256;") and h.endswith("?ver=CBV2.0")
    True

It follows the CBV 2.0 algorithm as the reference implementation (RalphTro/epcis-event-hash-generator,
MIT; the test oracle) computes it: a pre-hash string of the event's fields in the canonical order
(``PROP_ORDER``), times in UTC at millisecond precision, bare CBV words as web vocabulary URIs, GS1
identifiers as canonical Digital Links (:mod:`.identifiers`), then user extensions; SHA-256 of the
UTF-8 string. The reference expands the document as JSON-LD (PyLD) to find the web vocabulary URI
of a bare CBV word; here a table of the fields the EPCIS 2.0 context types as CBV vocabularies does
that, with no context fetched. ``recordTime``, ``eventID``, ``errorDeclaration`` and comments are
not hashed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from stockade.inventory.epcis.identifiers import to_digital_link

Node = tuple[Any, str, list[Any]]  # (name, text, children); a name is a str or, in lists of pairs, a Node
Order = list[tuple[Any, Any]]

_QTY: Order = [("quantityElement", [("epcClass", None), ("quantity", None), ("uom", None)])]
_EPC: Order = [("epc", None)]
PROP_ORDER: Order = [
    ("eventTime", None), ("eventTimeZoneOffset", None), ("certificationInfo", None), ("parentID", None),
    ("epcList", _EPC), ("inputEPCList", _EPC), ("childEPCs", _EPC), ("quantityList", _QTY),
    ("childQuantityList", _QTY), ("inputQuantityList", _QTY), ("outputEPCList", _EPC), ("outputQuantityList", _QTY),
    ("action", None), ("transformationID", None), ("bizStep", None), ("disposition", None),
    ("persistentDisposition", [("set", None), ("unset", None)]), ("readPoint", [("id", None)]),
    ("bizLocation", [("id", None)]),
    ("bizTransactionList", [(("type", None), ("bizTransaction", None))]),
    ("sourceList", [(("type", None), ("source", None))]),
    ("destinationList", [(("type", None), ("destination", None))]),
    ("sensorElementList", [("sensorElement", [
        ("sensorMetadata", [(n, None) for n in ("time", "startTime", "endTime", "deviceID", "deviceMetadata",
                                                "rawData", "dataProcessingMethod", "bizRules")]),
        ("sensorReport", [(n, None) for n in (
            "type", "exception", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "time",
            "microorganism", "chemicalSubstance", "value", "component", "stringValue", "booleanValue",
            "hexBinaryValue", "uriValue", "minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue",
            "uom", "coordinateReferenceSystem")])])]),
]
_NOT_HASHED = ("recordTime", "eventID", "type", "errorDeclaration")
_UNSORTED = ("bizTransaction", "source", "destination")
_CBV = "https://ref.gs1.org/cbv/"
_OLD_CBV = (("urn:epcglobal:cbv:bizstep:", _CBV + "BizStep-"), ("urn:epcglobal:cbv:disp:", _CBV + "Disp-"),
            ("urn:epcglobal:cbv:btt:", _CBV + "BTT-"), ("urn:epcglobal:cbv:sdt:", _CBV + "SDT-"),
            ("urn:epcglobal:cbv:er:", _CBV + "ER-"))
_BARE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


# --- bare CBV words → web vocabulary (what JSON-LD expansion with the EPCIS context gives) -------------

def _vocab_values(event: Mapping[str, Any]) -> set[str]:
    out: set[str] = set()

    def add(value: Any, prefix: str) -> None:
        if isinstance(value, str) and _BARE.match(value):
            out.add(prefix + value)

    add(event.get("bizStep"), _CBV + "BizStep-")
    add(event.get("disposition"), _CBV + "Disp-")
    pd = event.get("persistentDisposition")
    if isinstance(pd, Mapping):
        for key in ("set", "unset"):
            for v in pd.get(key) or ():
                add(v, _CBV + "Disp-")
    for name, prefix in (("bizTransactionList", "BTT-"), ("sourceList", "SDT-"), ("destinationList", "SDT-")):
        for item in event.get(name) or ():
            if isinstance(item, Mapping):
                add(item.get("type"), _CBV + prefix)
    err = event.get("errorDeclaration")
    if isinstance(err, Mapping):
        add(err.get("reason"), _CBV + "ER-")
    for element in event.get("sensorElementList") or ():
        for report in (element.get("sensorReport") or ()) if isinstance(element, Mapping) else ():
            if isinstance(report, Mapping):
                add(report.get("type"), "https://gs1.org/voc/")
                add(report.get("exception"), "https://gs1.org/voc/")
                add(report.get("component"), _CBV + "Comp-")
    return out


def _replace_bare(value: Any, expanded: set[str]) -> Any:
    if isinstance(value, str):
        matches = [x for x in expanded if x.endswith("-" + value) or x.endswith("/" + value)]
        return matches[0] if len(matches) == 1 else value
    if isinstance(value, list):
        return [_replace_bare(v, expanded) for v in value]
    if isinstance(value, dict):
        return {k: _replace_bare(v, expanded) for k, v in value.items()}
    return value


# --- JSON → (name, text, children), as the reference's XML model ---------------------------------------

def namespaces(context: Any) -> dict[str, str]:
    """Prefixes an EPCIS document's ``@context`` declares (for extension fields)."""
    out: dict[str, str] = {}
    for c in context if isinstance(context, list) else ():
        if isinstance(c, str):
            out[c] = "{" + c + "}"
        elif isinstance(c, Mapping):
            out.update({k: "{" + str(v) + "}" for k, v in c.items()})
    return out


class _Tree:
    def __init__(self, ns: Mapping[str, str]) -> None:
        self.ns = dict(ns)

    def replace(self, text: Any, is_value: bool = False) -> Any:
        if not isinstance(text, str):
            return text
        head, sep, tail = text.partition(":")
        if sep and head in self.ns:
            return (self.ns[head].replace("{", "").replace("}", "") if is_value else self.ns[head]) + tail
        return text

    def build(self, obj: Any) -> Node:
        node: Node = ("", "", [])
        if isinstance(obj, list):
            for child in obj:
                node[2].append(self.build(child))
        elif isinstance(obj, dict):
            if "type" in obj:
                node = (obj["type"], "", [])
            if "#text" in obj:
                node = (node[0], obj["#text"], node[2])
            for key, val in obj.items():
                if key in ("#text", "rdfs:comment", "comment"):
                    continue
                if key.startswith("@xmlns"):
                    self.ns[key[7:]] = "{" + str(val) + "}"
                    node = (self.replace(node[0]), node[1], node[2])
                    continue
                child = self.build(val)
                key = self.replace(key)
                if isinstance(val, list):
                    node[2].extend((key, e[1], e[2]) for e in child[2])
                else:
                    node[2].append((key, child[1], child[2]))
        else:
            text = "true" if obj is True else "false" if obj is False else str(obj)
            return "", str(self.replace(text, True)), []
        if not any(k in obj for k in _UNSORTED) if isinstance(obj, dict) else True:
            node[2].sort()
        return node


def _correct(node: Node) -> Node:
    """JSON and XML structure differences: ``epcList: [..]`` is ``<epcList><epc/>..``, and so on."""
    children = list(node[2]) if len(node) > 2 else []
    lists: dict[str, list[Node]] = {}
    for e in [e for e in children if not isinstance(e[0], tuple) and e[0].endswith("List")]:
        lists.setdefault(e[0], []).append((e[0][:-4], e[1], e[2]))
        children.remove(e)
    for name, elements in lists.items():
        if name in ("sourceList", "destinationList", "bizTransactionList"):
            # pairs (bizTransaction, type) as the reference builds them; a missing type is an empty node
            pairs = [(*e[2][:2], *[("", "", [])] * (2 - len(e[2][:2]))) for e in elements]
            children.append((name, "", pairs))
        else:
            children.append((name, "", elements))
    child_epcs: list[Node] = [("epc", e[1], []) for e in children if e[0] == "childEPCs"]
    children = [e for e in children if e[0] != "childEPCs"]
    if child_epcs:
        children.append(("childEPCs", "", child_epcs))
    out = [e if e[0] in ("sourceList", "destinationList", "bizTransactionList") else _correct(e) for e in children]
    name = node[0]
    if name in ("inputEPC", "outputEPC"):
        return "epc", node[1], out
    if name in ("inputQuantity", "outputQuantity", "childQuantity") or (name == "quantity" and out):
        return "quantityElement", node[1], out
    return name, node[1], out


# --- the pre-hash string -----------------------------------------------------------------------------

def _utc_ms(text: str) -> str:
    try:
        t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    if t.tzinfo is None:
        t = t.astimezone()
    t = t.astimezone(UTC)
    micro = round(t.microsecond, -3)
    if micro >= 1_000_000:
        t = t.replace(microsecond=0) + timedelta(seconds=1)
        micro = 0
    t = t.replace(microsecond=micro)
    return t.isoformat(timespec="milliseconds")[:-6] + "Z"


def _numeric(text: str) -> str:
    try:
        number = float(text)
    except ValueError:
        return text
    if number != number or number in (float("inf"), float("-inf")):
        return text
    return str(int(number)) if int(number) == number else str(number)


def _canonical(text: str) -> str:
    for old, new in _OLD_CBV:
        text = text.replace(old, new)
    text = _numeric(text)
    if "." in text:
        dl = to_digital_link(text)
        if dl:
            return dl
    return text


def _child_string(child: Node, order: Order | None) -> str:
    grand = _in_order(child[2], order) if order else ""
    text = ""
    if child[1]:
        text = child[1].strip()
        name = child[0].lower() if isinstance(child[0], str) else ""
        text = _utc_ms(text) if "time" in name and "offset" not in name else _canonical(text)
        if text:
            text = "=" + text
    if text or grand:
        return str(child[0]) + text + grand
    return ""


def _user_extensions(children: list[Any]) -> list[Any]:
    if len(children) <= 1:
        return []
    if any("eventTime" in c[0] or "action" in c[0] for c in children if isinstance(c[0], str)):
        return []
    ext = [c for c in children if isinstance(c, tuple) and isinstance(c[0], str) and "{" in c[0] and "/}" in c[0]]
    for e in ext:
        children.remove(e)
    return ext


def _in_order(children: list[Any], order: Order) -> str:
    pre = ""
    ext = _user_extensions(children)
    for name, sub in order:
        values = []
        for child in [c for c in children if c[0] == name]:
            s = _child_string(child, sub)
            if s:
                values.append(s)
            if len(child[2]) == 0:
                children.remove(child)
        values.sort()
        if "".join(values):
            if pre:
                values.insert(0, pre)
            pre = "".join(values)
    if ext:
        pre += _generic(ext)
    return pre


def _generic(children: Sequence[Any]) -> str:
    values = []
    for child in children:
        if isinstance(child, tuple) and len(child) == 2 and isinstance(child[0], tuple):
            values.append(_generic(child))
        else:
            text = child[1].strip()
            if text:
                text = "=" + _canonical(text)
            values.append(str(child[0]) + text + _generic(child[2]))
    if len(children) > 1 and not any(c[0] in _UNSORTED for c in children):
        values.sort()
    return "".join(values)


def pre_hash(event: Mapping[str, Any], ns: Mapping[str, str] | None = None) -> str:
    """The CBV 2.0 pre-hash string of one event (``ns``: the document's context prefixes)."""
    expanded = _vocab_values(event)
    replaced = _replace_bare(dict(event), expanded) if expanded else dict(event)
    tree = _correct(_Tree(ns or {}).build(replaced))
    children = list(tree[2])
    ordered = _in_order(children, PROP_ORDER)
    rest = [c for c in children if c[0] not in _NOT_HASHED]
    return "eventType=" + str(tree[0]) + ordered + (_generic(rest) if rest else "")


def event_hash(event: Mapping[str, Any], ns: Mapping[str, str] | None = None) -> str:
    """``ni:///sha-256;<hex>?ver=CBV2.0``."""
    digest = hashlib.sha256(pre_hash(event, ns).encode("utf-8")).hexdigest()
    return f"ni:///sha-256;{digest}?ver=CBV2.0"


def document_events(document: Mapping[str, Any]) -> list[Any]:
    """The events of an EPCISDocument or EPCISQueryDocument, in document order ([] when it has none)."""
    body = document.get("epcisBody")
    if not isinstance(body, Mapping):
        return []
    if isinstance(body.get("eventList"), list):
        return list(body["eventList"])
    if "event" in body:
        return [body["event"]]
    results = body.get("queryResults")
    results = results.get("resultsBody") if isinstance(results, Mapping) else None
    events = results.get("eventList") if isinstance(results, Mapping) else None
    return list(events) if isinstance(events, list) else []


def document_hashes(document: Mapping[str, Any]) -> list[str]:
    ns = namespaces(document.get("@context"))
    return [event_hash(e, ns) for e in document_events(document)]
