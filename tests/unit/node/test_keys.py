"""API keys (node/keys.py): ingest keys bound to a site, their sources and kinds; never Stockade's own."""

from __future__ import annotations

import pytest

from stockade.node.keys import SCOPE_HELP, SCOPES, matches, new_key, parse_token
from stockade.site.sources import DEVICE_KINDS


def test_an_ingest_key_defaults_to_the_device_kinds() -> None:
    token, record = new_key(("ingest",), site="dc-demo", sources=("ctl-1",))
    assert set(record.kinds) == DEVICE_KINDS
    assert "admin" not in record.kinds
    assert "stock" not in record.kinds
    parsed = parse_token(token)
    assert parsed is not None
    assert matches(record, parsed[1])


@pytest.mark.parametrize(("kwargs", "needle"), [
    ({"sources": ("ctl-1",)}, "bound to a site"),
    ({"site": "dc-demo"}, "must name the sources"),
    ({"site": "dc-demo", "sources": ("stockade:pdp",)}, "Stockade's own"),
    ({"site": "dc-demo", "sources": ("ctl-1",), "kinds": ("incident",)}, "written by Stockade only"),
    ({"site": "dc-demo", "sources": ("ctl-1",), "kinds": ("checkpoint",)}, "written by Stockade only"),
])
def test_an_ingest_key_that_could_claim_too_much_is_not_made(kwargs: dict[str, object], needle: str) -> None:
    with pytest.raises(ValueError, match=needle):
        new_key(("ingest",), **kwargs)  # type: ignore[arg-type]


def test_other_scopes_may_be_bound_to_a_site_but_have_no_sources() -> None:
    _, record = new_key(("pep",), site="dc-demo")
    assert record.site == "dc-demo"
    with pytest.raises(ValueError, match="only ingest keys"):
        new_key(("read",), sources=("ctl-1",))


def test_every_scope_says_what_it_is_for() -> None:
    assert set(SCOPE_HELP) == set(SCOPES)


def test_analyst_and_admin_keys_carry_roles_others_may_not() -> None:
    _, lead = new_key(("analyst",), roles=("security-lead", "duty-manager", "security-lead"))
    assert lead.roles == ("duty-manager", "security-lead")
    assert new_key(("read",))[1].roles == ()
    with pytest.raises(ValueError, match="only analyst and admin keys have roles"):
        new_key(("read",), roles=("security-lead",))
    with pytest.raises(ValueError, match="role names"):
        new_key(("admin",), roles=("security lead",))
