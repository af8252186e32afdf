"""docs/detectors.md and docs/threats.md name every registered detector; the documented `planned:` example loads."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from stockade.detectors.registry import CATALOGUE
from stockade.site import parse_site

DOCS = Path(__file__).resolve().parents[3] / "docs"


def test_every_detector_is_in_the_catalogue_page_with_its_file() -> None:
    text = (DOCS / "detectors.md").read_text()
    for det_id, cls in CATALOGUE.items():
        row = next((line for line in text.splitlines() if line.startswith(f"| {det_id} |")), None)
        assert row is not None, det_id
        assert f"`{cls.__module__.rsplit('.', 1)[1]}.py`" in row, det_id


def test_the_threat_model_names_only_real_detectors() -> None:
    text = (DOCS / "threats.md").read_text()
    named = set(re.findall(r"STK-[A-Z]{3}-\d{3}", text))
    assert named <= set(CATALOGUE)
    for new in ("STK-ACC-006", "STK-INV-006", "STK-INV-007"):
        assert new in named


def test_the_documented_planned_example_is_a_valid_site_file(site) -> None:  # type: ignore[no-untyped-def]
    text = (DOCS / "detectors.md").read_text()
    block = text.split("```yaml\nplanned:", 1)[1].split("```", 1)[0]
    planned = yaml.safe_load("planned:" + block)["planned"]
    data = site.model_dump(mode="json", exclude_none=True)
    data["planned"] = planned
    parsed = parse_site(data)
    assert [w.kind for w in parsed.planned] == ["maintenance", "drill"]
