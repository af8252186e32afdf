from __future__ import annotations

import pytest

from stockade.sim.errors import ScenarioError
from tests.unit.sim.conftest import make


def test_unknown_keys_and_bad_values_name_the_field() -> None:
    with pytest.raises(ScenarioError) as e:
        make(benign={"overtme": 0.1})
    assert e.value.field == "benign.overtme"
    assert e.value.file == "test.yaml"
    with pytest.raises(ScenarioError) as e:
        make(duration="7 weeks")
    assert e.value.field == "duration"


def test_attack_references_are_checked_against_the_site() -> None:
    with pytest.raises(ScenarioError) as e:
        make(attacks=[{"type": "tailgating"}, {"type": "tailgating", "door": "D-NOPE"}])
    assert e.value.field == "attacks[1].door"
    assert "D-NOPE" in e.value.problem
    with pytest.raises(ScenarioError) as e:
        make(attacks=[{"type": "self_grant", "day": 9, "time": "10:00"}])
    assert e.value.field == "attacks[0].day"
    with pytest.raises(ScenarioError) as e:
        make(attacks=[{"type": "heist"}])
    assert e.value.field == "attacks[0].type"
