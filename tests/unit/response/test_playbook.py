"""Playbook files (stockade.response.playbook): validated at load, errors naming file, line and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from stockade.response.errors import PlaybookError
from stockade.response.playbook import DEFAULT_DIR, PlaybookSet, load_dir, load_playbook

GOOD = """playbook: p
trigger: {pattern: blind_and_grab}
steps:
  - {id: a, do: notify, webhook: desk}
  - {id: b, do: lockdown, zones: incident, depends_on: [a]}
"""


def _write(tmp_path: Path, text: str, name: str = "p.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_the_shipped_pack_loads() -> None:
    names = [p.playbook for p in load_dir(DEFAULT_DIR)]
    assert names == ["blind-and-grab", "fictitious-pickup", "insider-after-hours", "record-cover-up",
                     "tailgate-intrusion"]


def test_an_unknown_step_is_refused_naming_file_line_and_field(tmp_path: Path) -> None:
    p = _write(tmp_path, GOOD.replace("do: lockdown", "do: lockdwn"))
    with pytest.raises(PlaybookError) as e:
        load_playbook(p)
    assert (e.value.file, e.value.line, e.value.field) == (str(p), 5, "steps[1].do")
    assert "lockdwn" in e.value.reason


def test_an_unknown_field_names_its_line(tmp_path: Path) -> None:
    p = _write(tmp_path, GOOD.replace("webhook: desk", "webhok: desk"))
    with pytest.raises(PlaybookError) as e:
        load_playbook(p)
    assert (e.value.line, e.value.field) == (4, "steps[0].webhok")


def test_a_missing_dependency_is_refused(tmp_path: Path) -> None:
    p = _write(tmp_path, GOOD.replace("depends_on: [a]", "depends_on: [x]"))
    with pytest.raises(PlaybookError) as e:
        load_playbook(p)
    assert (e.value.line, e.value.field) == (5, "steps[1].depends_on")
    assert "'x', which is not a step" in e.value.reason


def test_a_cycle_is_refused(tmp_path: Path) -> None:
    text = GOOD.replace("{id: a, do: notify, webhook: desk}", "{id: a, do: notify, webhook: desk, depends_on: [b]}")
    p = _write(tmp_path, text)
    with pytest.raises(PlaybookError) as e:
        load_playbook(p)
    assert e.value.field.endswith(".depends_on")
    assert e.value.line in (4, 5)
    assert "cycle" in e.value.reason
    assert f"{p}:{e.value.line}: {e.value.field}: dependency cycle" in str(e.value)


def test_a_bad_file_on_reload_keeps_the_previous_set(tmp_path: Path) -> None:
    shutil.copy(DEFAULT_DIR / "tailgate-intrusion.yaml", tmp_path / "t.yaml")
    playbooks = PlaybookSet(tmp_path)
    before = playbooks.playbooks
    _write(tmp_path, GOOD.replace("depends_on: [a]", "depends_on: [b]"), "bad.yaml")
    error = playbooks.reload_if_changed()
    assert error is not None
    assert error.file.endswith("bad.yaml")
    assert playbooks.playbooks is before
    (tmp_path / "bad.yaml").write_text(GOOD)
    assert playbooks.reload_if_changed() is None
    assert [p.playbook for p in playbooks.playbooks] == ["p", "tailgate-intrusion"]
