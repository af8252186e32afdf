"""``/docs`` works with no internet, and ``/openapi.json`` says how to authenticate and what ingest takes."""

from __future__ import annotations

import hashlib
import json
import re

from stockade.api.docs import ASSETS, SWAGGER_UI_VERSION
from tests.node_fixtures import Api


def test_docs_page_references_only_local_assets(api: Api) -> None:
    page = api.client.get("/docs")
    assert page.status_code == 200
    refs = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url:\s*'([^']+)'""", page.text)
    urls = [a or b for a, b in refs]
    assert urls, "the page names no assets?"
    assert all(u.startswith("/") and not u.startswith("//") for u in urls), urls
    assert "http://" not in page.text
    assert "https://" not in page.text
    assert '"validatorUrl": null' in page.text  # the validator badge would call out
    for url in urls:
        if url.startswith("/docs/static/"):
            served = api.client.get(url)
            assert served.status_code == 200, url
            assert len(served.content) > 0


def test_vendored_assets_are_the_pinned_release() -> None:
    assert SWAGGER_UI_VERSION in (ASSETS / "README.md").read_text()
    for line in (ASSETS / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split()
        assert hashlib.sha256((ASSETS / name).read_bytes()).hexdigest() == digest, name
    assert "Apache License" in (ASSETS / "LICENSE").read_text()


def test_docs_and_schema_are_open_and_redoc_is_gone(api: Api) -> None:
    assert api.client.get("/openapi.json").status_code == 200
    assert api.client.get("/redoc").status_code == 404  # it would load from a CDN


def test_schema_declares_bearer_auth_on_every_guarded_route(api: Api) -> None:
    doc = api.client.get("/openapi.json").json()
    assert doc["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "stk_<id>_<secret>",
        "description": doc["components"]["securitySchemes"]["bearer"]["description"]}
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            statuses = set(op["responses"])
            assert "413" in statuses, (method, path)
            assert isinstance(op["x-body-limit"], int), (method, path)
            if path == "/healthz":
                assert "security" not in op
                continue
            assert op["security"] == [{"bearer": []}, {"apiKey": []}], (method, path)
            assert {"401", "403"} <= statuses, (method, path)
            for code in statuses - {"200"}:
                assert "application/json" in op["responses"][code]["content"], (method, path, code)


def test_ingest_body_and_per_line_answer_are_described(api: Api) -> None:
    doc = api.client.get("/openapi.json").json()
    op = doc["paths"]["/v1/events"]["post"]
    content = op["requestBody"]["content"]
    assert set(content) == {"application/x-ndjson", "application/json"}
    assert content["application/json"]["schema"]["items"] == {"$ref": "#/components/schemas/Event"}
    assert "door" in str(doc["components"]["schemas"]["Event"])
    answer = doc["components"]["schemas"]["IngestAnswer"]
    assert set(answer["properties"]) == {"accepted", "duplicate", "rejected", "results"}
    assert op["x-body-limit"] == api.node.settings.max_body_bytes
    example = content["application/x-ndjson"]["example"]
    r = api.client.post("/v1/events", content=example.replace("2026-11-21", "2026-01-01").encode(),
                        headers=api.auth("ingest"))
    assert r.status_code == 200
    assert [x["status"] for x in r.json()["results"]] == ["accepted", "accepted"]


def test_decide_documents_its_limit_and_statuses(api: Api) -> None:
    op = api.client.get("/openapi.json").json()["paths"]["/v1/access/decide"]["post"]
    assert op["x-body-limit"] == 16 * 1024
    assert {"200", "401", "403", "413", "415", "422"} <= set(op["responses"])


def test_the_422_example_in_docs_access_is_what_the_api_answers(api: Api) -> None:
    from pathlib import Path

    text = (Path(__file__).resolve().parents[3] / "docs" / "access.md").read_text()
    shown = re.search(r"score of 2:\s*`(\[[^]]*\])`", text)
    assert shown is not None
    r = api.client.post("/v1/access/decide", headers=api.auth("pep"), json={
        "site": "dc-demo", "door": "D-HV", "credential": "badge:1020",
        "factors": [{"type": "face", "score": 2}]})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == json.loads(" ".join(shown.group(1).split()))
