"""Stockade's findings as OCSF 1.3 events, CEF lines and RFC 5424 syslog frames (pure functions).

    >>> ocsf(alert)["class_uid"], ocsf(incident)["class_uid"], ocsf(decision)["class_uid"]   # doctest: +SKIP
    (2004, 2005, 3002)

* an ``alert`` is a Detection Finding (class 2004, category Findings);
* an ``incident`` version is an Incident Finding (class 2005): activity Create for a
  ``new`` incident, Update after; its status maps to OCSF's (acknowledged and contained
  are In Progress);
* an access ``decision`` is Authentication activity (class 3002, Identity & Access
  Management): Logon, status Success for ``allow``, Failure for ``deny`` and
  ``step_up`` (the person must present another factor first).

``metadata.uid`` is the Stockade event id: stable, so a finding sent twice (the
export is at-least-once) is recognisably the same. Syslog frames use octet
counting (RFC 6587 §3.4.1), as RFC 5425 requires over TLS.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

import msgspec

from stockade.events import Alert, Decision, Envelope, Incident

OCSF_VERSION = "1.3.0"
SEVERITY_ID = {"info": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}
SYSLOG_SEVERITY = {"info": 6, "low": 5, "medium": 4, "high": 3, "critical": 2}
INCIDENT_STATUS = {"new": (1, "New"), "acknowledged": (2, "In Progress"), "contained": (2, "In Progress"),
                   "resolved": (4, "Resolved"), "closed": (5, "Closed")}
Finding = Alert | Incident | Decision
_encode = msgspec.json.Encoder().encode


def _ms(e: Envelope) -> int:
    return int(e.ts.timestamp() * 1000)


def _metadata(e: Envelope, seq: int) -> dict[str, Any]:
    return {"version": OCSF_VERSION, "uid": e.id, "sequence": seq,
            "product": {"name": "Stockade", "vendor_name": "Stockade", "feature": {"name": e.kind}},
            "log_name": e.site}


def ocsf(e: Finding, seq: int = 0) -> dict[str, Any]:
    if isinstance(e, Alert):
        return {
            "class_uid": 2004, "class_name": "Detection Finding", "category_uid": 2, "category_name": "Findings",
            "activity_id": 1, "activity_name": "Create", "type_uid": 200401, "time": _ms(e),
            "severity_id": SEVERITY_ID[e.severity], "severity": e.severity.capitalize(), "status_id": 1,
            "message": e.summary, "metadata": _metadata(e, seq),
            "finding_info": {"uid": e.id, "title": e.detector, "desc": e.summary,
                             "analytic": {"uid": e.detector, "name": e.detector, "type_id": 1, "type": "Rule"},
                             "related_events_count": len(e.evidence)},
            "unmapped": {"site": e.site, "entities": msgspec.to_builtins(e.entities), "evidence": list(e.evidence)},
        }
    if isinstance(e, Incident):
        status_id, status = INCIDENT_STATUS[e.status]
        activity = (1, "Create") if e.status == "new" else (2, "Update")
        return {
            "class_uid": 2005, "class_name": "Incident Finding", "category_uid": 2, "category_name": "Findings",
            "activity_id": activity[0], "activity_name": activity[1], "type_uid": 200500 + activity[0],
            "time": _ms(e), "severity_id": SEVERITY_ID[e.severity], "severity": e.severity.capitalize(),
            "status_id": status_id, "status": status, "message": e.summary, "metadata": _metadata(e, seq),
            "finding_info_list": [{"uid": e.incident, "title": e.pattern, "desc": e.summary,
                                   "first_seen_time": int(e.start.timestamp() * 1000),
                                   "last_seen_time": int(e.end.timestamp() * 1000)}],
            "unmapped": {"site": e.site, "incident": e.incident, "entities": msgspec.to_builtins(e.entities),
                         "alerts": list(e.alerts), "evidence": list(e.evidence)},
        }
    ok = e.result == "allow"
    return {
        "class_uid": 3002, "class_name": "Authentication", "category_uid": 3,
        "category_name": "Identity & Access Management", "activity_id": 1, "activity_name": "Logon",
        "type_uid": 300201, "time": _ms(e), "severity_id": 1 if ok else 3, "status_id": 1 if ok else 2,
        "status": "Success" if ok else "Failure", "status_detail": "; ".join(e.reasons)[:1000],
        "is_mfa": len(e.factors) > 1, "metadata": _metadata(e, seq),
        "user": {"uid": e.subject or "", "credential_uid": e.credential or ""},
        "dst_endpoint": {"name": e.door, "type": "Door"}, "message": f"{e.result} at {e.door}",
        "unmapped": {"site": e.site, "result": e.result, "factors": list(e.factors), "policies": list(e.policies),
                     "policy_hash": e.policy_hash, "step_up": e.step_up},
    }


def _cef_header(value: str) -> str:
    return value.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _cef_ext(value: str) -> str:
    return value.replace("\\", "\\\\").replace("=", "\\=").replace("\n", "\\n").replace("\r", "\\r")


def cef(e: Finding) -> str:
    """ArcSight CEF:0; severity 0-10."""
    if isinstance(e, Alert):
        sig, name, sev, msg = e.detector, e.summary, SEVERITY_ID[e.severity] * 2, e.summary
    elif isinstance(e, Incident):
        sig, name, sev, msg = e.pattern, f"incident {e.status}: {e.pattern}", SEVERITY_ID[e.severity] * 2, e.summary
    else:
        sig, name, sev, msg = f"decision-{e.result}", f"access {e.result} at {e.door}", 1 if e.result == "allow" \
            else 5, "; ".join(e.reasons)
    ext = {"rt": str(_ms(e)), "externalId": e.id, "cs1Label": "site", "cs1": e.site, "msg": msg[:1000]}
    return (f"CEF:0|Stockade|Stockade|{OCSF_VERSION}|{_cef_header(sig)}|{_cef_header(name[:200])}|{sev}|"
            + " ".join(f"{k}={_cef_ext(v)}" for k, v in ext.items()))


def syslog_frame(e: Finding, message: str, *, facility: int, hostname: str) -> bytes:
    """One RFC 5424 message, octet-counted for TCP (RFC 6587 §3.4.1)."""
    severity = SYSLOG_SEVERITY[e.severity] if isinstance(e, Alert | Incident) else (6 if e.result == "allow" else 5)
    ts = e.ts.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    msgid = e.kind
    line = f"<{facility * 8 + severity}>1 {ts} {hostname} stockade - {msgid} [stockade@32473 id=\"{_sd(e.id)}\" " \
           f"site=\"{_sd(e.site)}\"] {message}".encode()
    return str(len(line)).encode() + b" " + line


def _sd(value: str) -> str:
    """An RFC 5424 SD-PARAM value: escape ", \\ and ]."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")


def message(e: Finding, seq: int, fmt: str) -> str:
    return cef(e) if fmt == "cef" else _encode(ocsf(e, seq)).decode()


def http_body(findings: list[tuple[int, Finding]], style: str, index: str) -> tuple[bytes, str]:
    """The request body and its content type for one batch."""
    if style == "hec":
        return b"".join(_encode({"time": e.ts.timestamp(), "source": "stockade", "sourcetype": "ocsf",
                                 "host": e.site, "event": ocsf(e, seq)}) for seq, e in findings), "application/json"
    if style == "bulk":
        lines = []
        for seq, e in findings:
            lines += [_encode({"index": {"_index": index, "_id": e.id}}), _encode(ocsf(e, seq))]
        return b"\n".join(lines) + b"\n", "application/x-ndjson"
    return _encode([ocsf(e, seq) for seq, e in findings]), "application/json"
