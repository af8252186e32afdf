"""The GS1 schema, offline: every GS1 example accepted, every openepcis invalid document refused, with a path."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from stockade.inventory.epcis.schema import validate_document, validate_event, validate_query
from tests.shared_vectors import vectors

VECTORS = vectors()
VALID = sorted((VECTORS / "epcis" / "JSON").rglob("*.jsonld"))
INVALID = sorted((VECTORS / "epcis-invalid").glob("*.json"))
# what each invalid document must be refused for: (JSON path, words of the message)
EXPECTED = {
    "Combination_of_events_with_missing_mandatory_fields.json": ("$.epcisBody.eventList[0]", "'action'"),
    "Combination_of_non_standard_bizStep_and_disposition.json": ("$.epcisBody.eventList[0].bizStep", "transforming"),
    "EPCISDocument_without_context.json": ("$", "'@context' is a required"),
    "ObjectEvent_with_ilmd_field_without_namespace.json": ("$.epcisBody.eventList[0].ilmd", "materialType"),
    "ObjectEvent_with_invalid_action.json": ("$.epcisBody.eventList[0].action", "CREATE"),
    "ObjectEvent_with_invalid_certificationInfo.json": ("$.epcisBody.eventList[0].certificationInfo", ""),
    "ObjectEvent_with_invalid_eventTime_format.json": ("$.epcisBody.eventList[0].eventTime", "date-time"),
    "ObjectEvent_with_non_standard_bizStep.json": ("$.epcisBody.eventList[0].bizStep", "transforming"),
    "ObjectEvent_with_unknown_field_in_quantityList.json": ("$.epcisBody.eventList[0].quantityList[0]", "weight"),
    "ObjectEvent_without_action_and_eventTime.json": ("$.epcisBody.eventList[0]", "'eventTime'"),
    "QueryDocument_with_invalid_action.json": ("$.epcisBody.queryResults.resultsBody.eventList[0].action",
                                               "INVALIDACTION"),
    "Query_with_invalid_values.json": ("$.GE_eventTime", "not-a-date"),
}


def test_the_vectors_are_there() -> None:
    assert len(VALID) == 47
    assert {p.name for p in INVALID} == set(EXPECTED)


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_every_gs1_example_is_accepted(path: Path) -> None:
    assert validate_document(json.loads(path.read_text())) == []


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_every_invalid_document_is_refused_naming_the_path(path: Path) -> None:
    body = json.loads(path.read_text())
    problems = validate_query(body) if path.name.startswith("Query_") else validate_document(body)
    where, words = EXPECTED[path.name]
    assert any(p.path == where and words in p.message for p in problems), [str(p) for p in problems]


def test_problems_inside_an_event_name_the_event() -> None:
    body = json.loads((VECTORS / "epcis-invalid" / "Combination_of_events_with_missing_mandatory_fields.json")
                      .read_text())
    assert {p.event for p in validate_document(body)} == {0, 1}
    assert {p.event for p in validate_document({"type": "EPCISDocument"})} == {None}


def test_one_event_is_checked_alone() -> None:
    event = {"type": "ObjectEvent", "eventTime": "2026-01-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
             "epcList": [], "action": "CREATE"}
    problems = validate_event(event)
    assert [p.path for p in problems][:1] == ["$.action"]
    assert validate_event({**event, "action": "OBSERVE"}) == []


def test_the_python_validator_is_imported_only_to_explain_a_refusal() -> None:
    """Importing it builds its format checkers' parsers (about a second of every `stockade serve`
    start): a node that takes valid documents never imports it."""
    first_valid = json.dumps(str(VALID[0]))
    script = f"""
import json, sys
from stockade.api.app import create_app
from stockade.inventory.epcis.schema import validate_document
assert "jsonschema" not in sys.modules, "imported with the API"
assert validate_document(json.load(open({first_valid}))) == []
assert "jsonschema" not in sys.modules, "imported to accept a valid document"
assert validate_document({{"type": "EPCISDocument"}})[0].path == "$"
assert "jsonschema" in sys.modules
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
