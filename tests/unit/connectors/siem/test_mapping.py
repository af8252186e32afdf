"""OCSF, CEF and RFC 5424 framing of Stockade's findings."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from stockade.connectors.siem import mapping
from stockade.events import Alert, Decision, Incident
from stockade.events.model import Entities

T = datetime(2026, 11, 21, 1, 16, 5, tzinfo=UTC)
ALERT = Alert(id="al-1", ts=T, site="dc-demo", source="stockade", detector="STK-DEV-001", severity="critical",
              entities=Entities(devices=("C-DOCKOUT-1", "C-DOCKOUT-2")), evidence=("e1", "e2"),
              summary="2 devices went down | within 1 min = blinding")
INCIDENT = Incident(id="inc-1.v2", ts=T, site="dc-demo", source="stockade", incident="inc-1",
                    pattern="blind_and_grab", severity="critical", status="acknowledged", start=T, end=T,
                    entities=Entities(), alerts=("al-1",), evidence=("e1",), summary="Blind and grab")
DECISION = Decision(id="dec-1", ts=T, site="dc-demo", source="pep-1", door="D-HV", result="deny",
                    reasons=("threat level lockdown",), policies=("p1",), policy_hash="abc", factors=("badge",),
                    subject="P-1")


def test_ocsf_classes() -> None:
    a, i, d = mapping.ocsf(ALERT, 5), mapping.ocsf(INCIDENT, 6), mapping.ocsf(DECISION, 7)
    assert (a["class_uid"], a["type_uid"], a["severity_id"], a["category_uid"]) == (2004, 200401, 5, 2)
    assert a["finding_info"]["analytic"]["uid"] == "STK-DEV-001"
    assert a["metadata"]["uid"] == "al-1"
    assert (i["class_uid"], i["activity_id"], i["status_id"], i["type_uid"]) == (2005, 2, 2, 200502)
    assert i["finding_info_list"][0]["uid"] == "inc-1"
    assert (d["class_uid"], d["status"], d["user"]["uid"], d["dst_endpoint"]["name"]) == (3002, "Failure", "P-1",
                                                                                          "D-HV")
    assert all(x["time"] == int(T.timestamp() * 1000) for x in (a, i, d))


def test_cef_escapes_its_separators() -> None:
    line = mapping.cef(ALERT)
    assert line.startswith("CEF:0|Stockade|Stockade|")
    assert "|STK-DEV-001|2 devices went down \\| within 1 min = blinding|10|" in line
    assert "msg=2 devices went down | within 1 min \\= blinding" in line


def test_syslog_frame_is_octet_counted_rfc5424() -> None:
    frame = mapping.syslog_frame(ALERT, "{}", facility=13, hostname="node-1")
    length, _, rest = frame.partition(b" ")
    assert int(length) == len(rest)
    assert rest.startswith(b"<106>1 2026-11-21T01:16:05.000000Z node-1 stockade - alert [stockade@32473 id=\"al-1\"")
    assert rest.endswith(b"] {}")


def test_http_bodies() -> None:
    body, ctype = mapping.http_body([(1, ALERT), (2, DECISION)], "bulk", "stk")
    lines = body.decode().splitlines()
    assert ctype == "application/x-ndjson"
    assert json.loads(lines[0]) == {"index": {"_index": "stk", "_id": "al-1"}}
    assert json.loads(lines[3])["class_uid"] == 3002
    hec, _ = mapping.http_body([(1, ALERT)], "hec", "")
    assert json.loads(hec)["event"]["class_uid"] == 2004
    plain, _ = mapping.http_body([(1, ALERT), (2, INCIDENT)], "json", "")
    assert [x["class_uid"] for x in json.loads(plain)] == [2004, 2005]
