"""The incident API: a projection paged with a cursor, and analysts' changes with optimistic concurrency."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

from stockade.events.decode import decode_stored
from stockade.events.model import Action
from stockade.incidents.changes import RESPONSE_SOURCE
from stockade.node.keys import new_key
from stockade.pipeline.report import fold_incidents, incident_record, json_line
from tests.node_fixtures import Api, door_line, wait_projected


def _analyst(api: Api, name: str, roles: tuple[str, ...] = ()) -> dict[str, str]:
    token, record = new_key(("analyst",), roles=roles)
    api.node.store.put_key(record)
    api.keys[name] = token
    return api.auth(name)


def _open_incidents(api: Api, n: int) -> list[dict[str, object]]:
    body = b"\n".join(door_line(f"f{i}", state="forced", door=door) for i, door in
                      enumerate(["D-HV", "D-SERVER", "D-RETURNS", "D-OFFICE", "D-PACK"][:n]))
    assert api.client.post("/v1/events", headers=api.auth("ingest"), content=body).json()["accepted"] == n
    wait_projected(api.node, "dc-demo")
    return _incidents(api)


def _incidents(api: Api) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    cursor = None
    while True:
        params: dict[str, object] = {"site": "dc-demo", "limit": 1}
        if cursor:
            params["cursor"] = cursor
        page = api.client.get("/v1/incidents", params=params, headers=api.auth("read")).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def test_incidents_page_with_a_cursor_and_never_cut_silently(api: Api) -> None:
    items = _open_incidents(api, 2)
    assert len(items) == len({i["id"] for i in items}) >= 1
    assert all(i["type"] == "incident" and i["status"] == "new" for i in items)
    bad = api.client.get("/v1/incidents", params={"cursor": "%%%"}, headers=api.auth("read"))
    assert bad.status_code == 422


def test_an_analyst_works_an_incident_and_the_log_records_who(api: Api) -> None:
    ann = _analyst(api, "ann")
    [inc, *_] = _open_incidents(api, 1)
    base = f"/v1/incidents/dc-demo/{inc['id']}"
    r = api.client.post(f"{base}/transition", headers=ann, json={"to": "acknowledged", "version": inc["version"]})
    assert r.status_code == 200, r.text
    acked = r.json()
    assert (acked["status"], acked["version"]) == ("acknowledged", inc["version"] + 1)  # type: ignore[operator]
    [by] = [h["actor"] for h in acked["history"] if h["change"] == "transition"]
    assert by == api.keys["ann"].split("_")[1]  # the key's principal, never a field the caller fills in
    assert acked["sla"]["time_to_acknowledge_s"] is not None
    # a second analyst with the old version is told, not overwritten
    stale = api.client.post(f"{base}/assign", headers=_analyst(api, "bob"),
                            json={"assignee": "bob", "version": inc["version"]})
    assert stale.status_code == 409
    assert "stale version" in stale.json()["detail"]["reason"]
    assert api.client.post(f"{base}/notes", headers=ann, json={"text": "calling the guard"}).status_code == 200
    body = {"to": "closed", "disposition": "false_positive", "version": acked["version"] + 1}
    blocked = api.client.post(f"{base}/transition", headers=ann, json=body)
    assert blocked.status_code == 409  # the playbook's mandatory task
    assert "police-report" in blocked.json()["detail"]["reason"]
    done = api.client.post(f"{base}/tasks/police-report/done", headers=ann)
    assert done.status_code == 200, done.text
    closed = api.client.post(f"{base}/transition", headers=ann, json={**body, "version": done.json()["version"]})
    assert closed.status_code == 200, closed.text
    back = api.client.post(f"{base}/transition", headers=ann,
                           json={"to": "contained", "version": closed.json()["version"]})
    assert back.status_code == 409
    assert back.json()["detail"]["allowed"] == ["acknowledged"]
    # the change is an action event in the site's log, written by Stockade
    logged = [r.event for r in api.node.store.read("dc-demo")
              if isinstance(r.event, Action) and r.event.source == "stockade:incidents"]
    assert [(e.action, e.target, e.source) for e in logged][:1] == [
        ("incident.transition", "acknowledged", "stockade:incidents")]
    metrics = api.client.get("/metrics", headers=api.auth("read")).text
    assert "stockade_incident_time_to_acknowledge_seconds_count" in metrics
    assert "stockade_incident_time_to_resolve_seconds_count" in metrics


def test_read_keys_cannot_change_incidents_and_unknown_ones_are_404(api: Api) -> None:
    r = api.client.post("/v1/incidents/dc-demo/inc-none/transition", headers=api.auth("read"),
                        json={"to": "acknowledged", "version": 1})
    assert r.status_code == 403
    r = api.client.post("/v1/incidents/dc-demo/inc-none/transition", headers=api.auth("admin"),
                        json={"to": "acknowledged", "version": 1})
    assert r.status_code == 404


def test_approving_ones_own_step_is_403_with_the_reason(api: Api) -> None:
    ann = _analyst(api, "ann")
    [inc, *_] = _open_incidents(api, 1)
    ann_id = api.keys["ann"].split("_")[1]
    step = Action(id="act-1", ts=datetime.now(UTC), site="dc-demo", source=RESPONSE_SOURCE, action="lift_threat",
                  outcome="awaiting_approval", incident=str(inc["id"]), playbook="manual", target="lift",
                  attrs={"intent": "int-1", "requested_by": ann_id})
    api.node._write_outputs("dc-demo", [step])
    base = f"/v1/incidents/dc-demo/{inc['id']}/steps/lift"
    own = api.client.post(f"{base}/approve", headers=ann, json={})
    assert own.status_code == 403
    assert "may not approve" in own.json()["detail"]["reason"]
    other = api.client.post(f"{base}/approve", headers=_analyst(api, "bob"), json={"reason": "ok"})
    assert other.status_code == 200
    assert {s["id"]: s["status"] for s in other.json()["steps"]}["lift"] == "approved"


def _settled(api: Api, guard_s: float = 30.0) -> None:
    """Until incident response has carried out what it queued: each outcome is logged (and folded
    into its incident) as it is carried out, so the log and the API may differ until then."""
    deadline, last = time.monotonic() + guard_s, -1
    while time.monotonic() < deadline:
        seq = api.node.store.last_seq("dc-demo")
        if api.node.executor.idle() and seq == last:
            return
        last = seq
        time.sleep(0.1)
    raise AssertionError(f"incident response still busy after {guard_s} s")


def test_an_incident_reads_the_same_from_the_api_and_from_analyze_json(api: Api) -> None:
    """pipeline/report.py's claim: one shape (incidents.records) and one fold (incidents.fold) for both."""
    _open_incidents(api, 2)
    _settled(api)  # the playbooks' steps fail at once here (no connectors): their outcomes come after the ack
    items = _incidents(api)
    events = [decode_stored(row.entry) for row in api.node.store.read_rows("dc-demo")]
    offline = {s.id: json.loads(json_line(incident_record(s))) for s in fold_incidents(events)}
    assert {str(i["id"]): i for i in items} == offline


def test_a_step_naming_a_role_is_approved_only_by_a_key_with_it(api: Api) -> None:
    [inc, *_] = _open_incidents(api, 1)
    step = Action(id="act-2", ts=datetime.now(UTC), site="dc-demo", source=RESPONSE_SOURCE, action="approve",
                  outcome="awaiting_approval", incident=str(inc["id"]), playbook="pb", target="pb:approve-lock",
                  attrs={"intent": "int-2", "roles": ["security-lead", "duty-manager"]})
    api.node._write_outputs("dc-demo", [step])
    base = f"/v1/incidents/dc-demo/{inc['id']}/steps/pb:approve-lock"
    for who, roles in (("carl", ()), ("dora", ("inventory-controller",))):
        refused = api.client.post(f"{base}/approve", headers=_analyst(api, who, roles), json={})
        assert refused.status_code == 403
        reason = refused.json()["detail"]["reason"]
        assert "needs a key with the role security-lead or duty-manager" in reason
        assert (", ".join(roles) or "none") in reason
    rejected = api.client.post(f"{base}/reject", headers=_analyst(api, "ed"), json={})
    assert rejected.status_code == 403  # rejecting is deciding too
    admin = api.client.post(f"{base}/approve", headers=api.auth("admin"), json={})
    assert admin.status_code == 403  # an admin key without the role is no exception
    ok = api.client.post(f"{base}/approve", headers=_analyst(api, "fay", ("duty-manager",)), json={})
    assert ok.status_code == 200, ok.text
    assert {s["id"]: s["status"] for s in ok.json()["steps"]}["pb:approve-lock"] == "approved"
