"""docs/events.md cannot disagree with the code: its tables are the model's kinds and fields
(names, types, required), its examples decode, and the limits it states are the code's."""

from __future__ import annotations

import re
from pathlib import Path

import msgspec
import pytest

from stockade.events import decode_event
from stockade.events.limits import MAX_NESTING, MAX_SAFE_INTEGER
from stockade.events.model import KINDS, Envelope
from stockade.node.ingest import LineResult
from stockade.pipeline.loop import ALLOWED_LATENESS

DOC = Path(__file__).resolve().parents[3] / "docs" / "events.md"
INS = msgspec.inspect


def type_name(t: msgspec.inspect.Type) -> str:
    """How the doc writes a field's type."""
    if isinstance(t, INS.UnionType):
        return " or ".join(dict.fromkeys(type_name(x) for x in t.types if not isinstance(x, INS.NoneType)))
    if isinstance(t, INS.LiteralType):
        return " / ".join(f"`{v}`" for v in sorted(t.values))
    if isinstance(t, INS.ListType | INS.VarTupleType):
        return f"list of {type_name(t.item_type)}"
    if isinstance(t, INS.StructType):
        return t.cls.__name__
    names = {INS.StrType: "string", INS.IntType: "integer", INS.FloatType: "number", INS.DateTimeType: "RFC 3339 time",
             INS.DictType: "object", INS.BoolType: "boolean"}
    return names[type(t)]


def fields_of(cls: type[msgspec.Struct], skip: frozenset[str] = frozenset()) -> list[tuple[str, str, bool]]:
    info = INS.type_info(cls)
    assert isinstance(info, INS.StructType)
    return [(f.encode_name, type_name(f.type), f.required) for f in info.fields if f.encode_name not in skip]


def _table_after(text: str, heading: str) -> list[tuple[str, str, bool]]:
    start = text.index(heading)
    rows = []
    in_table = False
    for line in text[start + len(heading):].splitlines()[1:]:
        if line.startswith("#"):
            break
        if line.startswith("|"):
            in_table = True
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if cells[0] in ("field", "---"):
                continue
            rows.append((cells[0].strip("`"), cells[1], cells[2] == "yes"))
        elif in_table:
            break
    return rows


def test_every_kind_in_the_model_is_in_the_doc_and_no_other() -> None:
    text = DOC.read_text(encoding="utf-8")
    documented = re.findall(r"^### `([a-z_]+)`$", text, re.M)
    assert sorted(documented) == sorted(KINDS)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_kinds_table_is_its_struct(kind: str) -> None:
    info = INS.type_info(Envelope)
    assert isinstance(info, INS.StructType)
    envelope = frozenset(f.encode_name for f in info.fields)
    got = _table_after(DOC.read_text(encoding="utf-8"), f"### `{kind}`")
    assert got == fields_of(KINDS[kind], envelope)


def test_the_envelope_table_is_the_envelope() -> None:
    got = _table_after(DOC.read_text(encoding="utf-8"), "## The envelope")
    expected = fields_of(Envelope)
    expected.insert(1, ("kind", "string", True))  # the tag
    assert got == expected


def test_the_examples_are_valid_events() -> None:
    blocks = re.findall(r"```json\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 3
    for block in blocks:
        decode_event(block.strip().encode())


def test_the_limits_the_doc_states_are_the_codes() -> None:
    text = " ".join(DOC.read_text(encoding="utf-8").split())
    assert f"at most **{MAX_NESTING}** levels" in text
    assert f"allowed lateness of {int(ALLOWED_LATENESS.total_seconds() // 60)} minutes" in text
    assert MAX_SAFE_INTEGER == 2**53 - 1
    assert "±(2^53 − 1)" in text
    assert '"late": true' in text
    assert "late" in LineResult.__dataclass_fields__
