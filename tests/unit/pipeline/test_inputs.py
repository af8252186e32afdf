"""Reading NDJSON event files for offline analysis (stockade.pipeline.inputs)."""

from __future__ import annotations

from pathlib import Path

from stockade.pipeline.inputs import decode_lines, read_files

TICK = '{{"id":"{id}","kind":"tick","ts":"2026-11-21T02:00:0{s}+01:00","site":"{site}","source":"bus"}}'


def tick(i: int, site: str = "dc-demo") -> bytes:
    return TICK.format(id=f"e{i}", s=i % 10, site=site).encode()


def test_valid_lines_are_kept_and_bad_ones_named_by_file_line_field_and_reason() -> None:
    ajar = (b'{"id":"x","kind":"door","ts":"2026-11-21T02:00:00Z","site":"dc-demo",'
            b'"source":"c","door":"D1","state":"ajar"}')
    lines = [tick(1), b"not json", b"", ajar, tick(2)]
    batch = decode_lines("night.ndjson", lines, site="dc-demo")
    assert [e.id for e in batch.events] == ["e1", "e2"]
    assert [(b.file, b.line, b.field) for b in batch.bad] == [
        ("night.ndjson", 2, ""), ("night.ndjson", 4, "state")]
    assert str(batch.bad[1]) == "night.ndjson:4: state: Invalid enum value 'ajar'"
    assert batch.lines == 4  # the blank line is not counted


def test_events_of_another_site_are_rejected() -> None:
    batch = decode_lines("a", [tick(1, site="elsewhere")], site="dc-demo")
    assert batch.events == []
    assert str(batch.bad[0]) == "a:1: site: 'elsewhere' is not the site file's 'dc-demo'"


def test_repeated_ids_are_counted_as_duplicates_across_files(tmp_path: Path) -> None:
    (tmp_path / "a.ndjson").write_bytes(tick(1) + b"\n" + tick(2) + b"\n")
    (tmp_path / "b.ndjson").write_bytes(tick(2) + b"\n" + tick(3) + b"\n")
    batch = read_files([tmp_path / "a.ndjson", tmp_path / "b.ndjson"], site="dc-demo")
    assert [e.id for e in batch.events] == ["e1", "e2", "e3"]
    assert batch.duplicates == 1
    assert batch.bad == []
