"""An incident's evidence bundle on its page: verified now, downloaded, and refused once tampered with."""

from __future__ import annotations

import re
import time

from stockade.response.evidence import verify_bundle
from tests.unit.web.conftest import Desk


def bundle_of(desk: Desk) -> tuple[str, str]:
    """Force the cage door; (incident id, bundle name) once the playbook's evidence step has written it."""
    desk.forced_door()
    deadline = time.monotonic() + 30
    folder = desk.node.evidence.out_dir / "dc-demo"
    while time.monotonic() < deadline:
        found = sorted(folder.glob("*.evidence.json")) if folder.is_dir() else []
        if found:
            return found[0].name.split(".")[0], found[0].name
        time.sleep(0.05)
    raise AssertionError("the evidence step wrote no bundle within 30 s")


def test_the_incident_page_lists_its_bundle_verified_and_the_download_verifies_offline(desk: Desk) -> None:
    incident, name = bundle_of(desk)
    c = desk.sign_in("read")
    page = c.get(f"/ui/incidents/dc-demo/{incident}").text
    assert f'data-bundle="{name}"' in page
    assert re.search(r'class="bundle-check ok">verified: \d+ events', page), page
    r = c.get(f"/ui/incidents/dc-demo/{incident}/evidence/{name}")
    assert r.status_code == 200
    assert r.headers["content-disposition"] == f'attachment; filename="{name}"'
    assert verify_bundle(r.content, desk.node.ledgers.verifiers("dc-demo")).incident == incident


def test_a_tampered_bundle_is_shown_refused(desk: Desk) -> None:
    incident, name = bundle_of(desk)
    path = desk.node.evidence.out_dir / "dc-demo" / name
    data = path.read_bytes()
    at = data.index(b'\\"door\\":\\"D-HV\\"') + len(b'\\"door\\":\\"D-')
    path.write_bytes(data[:at] + b"X" + data[at + 1:])
    page = desk.sign_in("read").get(f"/ui/incidents/dc-demo/{incident}").text
    assert re.search(r'class="bundle-check invalid">REFUSED: .* is not in the checkpointed tree', page), page


def test_bundles_are_read_with_the_keys_scope_and_site(desk: Desk) -> None:
    incident, name = bundle_of(desk)
    api = f"/v1/incidents/dc-demo/{incident}/evidence"
    assert desk.client.get(api).status_code == 401
    other = {"Authorization": f"Bearer {desk.keys['other']}"}
    assert desk.client.get(api, headers=other).status_code == 403
    assert desk.client.get(f"{api}/{name}", headers=other).status_code == 403
    read = {"Authorization": f"Bearer {desk.keys['read']}"}
    assert [b["name"] for b in desk.client.get(api, headers=read).json()["items"]] == [name]
    for bad in ("..%2F..%2Fkeys%2Flog.key", "x.evidence.json", "inc-1.json"):
        assert desk.client.get(f"{api}/{bad}", headers=read).status_code == 404, bad
    assert desk.client.get("/v1/incidents/dc-demo/inc-nope/evidence", headers=read).status_code == 404
