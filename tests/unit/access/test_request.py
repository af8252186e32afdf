from __future__ import annotations

import msgspec
import pytest

from stockade.access.request import AccessRequest, Presented

from .conftest import MONDAY_9, ask


def test_factor_types_in_order_each_once() -> None:
    req = ask("D-HV", "badge:1020", "badge", Presented("face", score=0.5), Presented("face", score=0.9))
    assert req.factor_types() == ("badge", "face")


def test_defaults_are_entry_through_a_healthy_reader() -> None:
    req = AccessRequest(site="dc-demo", door="D-HV", credential="badge:1020", time=MONDAY_9)
    assert (req.direction, req.reader.online, req.reader.tampered, req.factors) == ("in", True, False, ())


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"time": "2026-11-23T09:00:00"}, "$.time"),
        ({"factors": [{"type": "retina"}]}, "$.factors[0].type"),
        ({"factors": [{"type": "face", "score": 1.5}]}, "$.factors[0].score"),
        ({"direction": "sideways"}, "$.direction"),
        ({"pin": "1234"}, "pin"),
    ],
)
def test_malformed_requests_name_the_field(patch: dict[str, object], field: str) -> None:
    raw = {"site": "dc-demo", "door": "D-HV", "credential": "badge:1020",
           "time": "2026-11-23T09:00:00+01:00", **patch}
    with pytest.raises(msgspec.ValidationError, match=field.replace("$", r"\$").replace("[", r"\[")):
        msgspec.convert(raw, AccessRequest)
