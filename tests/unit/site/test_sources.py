"""The site file's ``sources:``: systems other than devices, the kinds and admin actions each may send."""

from __future__ import annotations

from typing import Any

import pytest

from stockade.site import SiteConfigError, parse_site

from .test_config import MINIMAL


def site_with(sources: list[dict[str, Any]]) -> dict[str, Any]:
    return {**MINIMAL, "sources": sources}


def test_declared_sources_load_with_their_kinds_and_actions() -> None:
    site = parse_site(site_with([
        {"id": "iam-1", "kinds": ["admin"], "actions": ["grant_access", "revoke_access"]},
        {"id": "wms-1", "kinds": ["stock"]},
    ]))
    assert site.sources_by_id["iam-1"].actions == ["grant_access", "revoke_access"]
    assert site.sources_by_id["wms-1"].kinds == ["stock"]


@pytest.mark.parametrize(("sources", "needle"), [
    ([{"id": "iam-1", "kinds": ["admin"], "actions": ["set_threat_level"]}],
     "threat levels change only through the analyst API"),
    ([{"id": "iam-1", "kinds": ["admin"], "actions": ["clear_threat_level"]}], "or a playbook"),
    ([{"id": "iam-1", "kinds": ["admin"], "actions": ["launch_rockets"]}], "unknown admin action"),
    ([{"id": "iam-1", "kinds": ["admin"]}], "list the actions it may take"),
    ([{"id": "wms-1", "kinds": ["stock"], "actions": ["grant_access"]}], "lists actions but not kind admin"),
    ([{"id": "stockade:access", "kinds": ["admin"], "actions": ["grant_access"]}], "Stockade's own"),
    ([{"id": "wms-1", "kinds": ["alert"]}], "sources.0.kinds.0"),
    ([{"id": "wms-1", "kinds": []}], "sources.0.kinds"),
    ([{"id": "D1", "kinds": ["stock"]}], "'D1' is a device"),
    ([{"id": "wms-1", "kinds": ["stock"]}, {"id": "wms-1", "kinds": ["stock"]}], "appears more than once"),
])
def test_a_bad_declaration_is_named(sources: list[dict[str, Any]], needle: str) -> None:
    with pytest.raises(SiteConfigError) as e:
        parse_site(site_with(sources), "s1.yaml")
    assert needle in str(e.value)
    assert "s1.yaml" in str(e.value)
