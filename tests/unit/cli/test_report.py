"""``stockade report inventory``: html (with the chart), json and csv from the local store."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import msgspec
import yaml
from typer.testing import CliRunner

from stockade.cli import app
from stockade.node.ingest import Principal
from stockade.node.runtime import Node
from stockade.node.settings import Settings
from tests.unit.inventory.epcis.site_fixture import site_data

runner = CliRunner()
SITE = "dc-epcis"
EPCS = [f"urn:epc:id:sgtin:0614141.107346.{i}" for i in range(4)]


def _data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    (data / "sites").mkdir(parents=True)
    (data / "sites" / f"{SITE}.yaml").write_text(yaml.safe_dump(site_data(SITE)))
    node = Node.open(Settings(data_dir=data, engine="thread"))
    lines = [
        {"id": "r1", "kind": "stock", "ts": "2026-11-16T08:00:00+01:00", "site": SITE, "source": "wms", "op": "receive",
         "to": "storage/A-1", "epcs": EPCS},
        {"id": "c1", "kind": "stock", "ts": "2026-11-17T08:00:00+01:00", "site": SITE, "source": "wms", "op": "count",
         "to": "storage/A-1", "epcs": EPCS[:3]},
        {"id": "a1", "kind": "stock", "ts": "2026-11-24T08:00:00+01:00", "site": SITE, "source": "wms", "op": "adjust",
         "from": "storage", "epcs": [EPCS[0]], "qty": -1, "reason": "damaged", "user": "u1"},
    ]
    report = node.ingestor.ingest_lines([msgspec.json.encode(x) for x in lines], Principal.operator())
    assert report.count("accepted") == 3
    node.stop()
    return data


def test_html_report_with_the_chart(tmp_path: Path) -> None:
    data = _data(tmp_path)
    out = tmp_path / "inv.html"
    result = runner.invoke(app, ["report", "inventory", "--site", SITE, "--data-dir", str(data), "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text()
    assert "<svg" in html
    assert "2026-W47" in html
    assert "2026-W48" in html
    assert "NOT EXPLAINED" in html  # the item the count did not find


def test_json_and_csv(tmp_path: Path) -> None:
    data = _data(tmp_path)
    result = runner.invoke(app, ["report", "inventory", "--data-dir", str(data), "--format", "json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["difference_counts"] == {"missing:unexplained": 1}
    assert body["totals"]["shrinkage_items"] == 2
    result = runner.invoke(app, ["report", "inventory", "--data-dir", str(data), "--format", "csv",
                                 "--until", "2026-11-20T00:00:00+01:00"])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    storage = next(r for r in rows if r["section"] == "zone" and r["key"] == "storage")
    assert (storage["expected"], storage["seen"], storage["difference"]) == ("4", "3", "-1")
    assert [r["key"] for r in rows if r["section"] == "shrinkage_reason"] == ["unexplained_missing"]


def test_bad_input_is_named(tmp_path: Path) -> None:
    data = _data(tmp_path)
    result = runner.invoke(app, ["report", "inventory", "--data-dir", str(data), "--since", "yesterday"])
    assert result.exit_code == 2
    assert "--since 'yesterday' is not an RFC 3339 time" in result.output
    result = runner.invoke(app, ["report", "inventory", "--data-dir", str(data), "--site", "nope"])
    assert result.exit_code == 2
    assert "no site 'nope'" in result.output
