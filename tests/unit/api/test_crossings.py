"""A request crosses to a worker thread for its route only (issue 11.8): every dependency is a
coroutine, the body gate's key check is not repeated by the route, a key or an event is read beside
a commit that holds the writer's lock, not behind it, and so SQLite's key check runs on the loop."""

from __future__ import annotations

import inspect
import threading
from collections.abc import Iterator

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from stockade.api import auth
from stockade.node.keys import parse_token
from stockade.store.sqlite.store import SqliteStore
from stockade.web.app import create_dashboard
from tests.node_fixtures import Api


def _dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for d in dependant.dependencies:
        yield d
        yield from _dependencies(d)


def test_no_route_depends_on_a_plain_function(api: Api) -> None:
    app = create_dashboard(api.node, start_node=False)  # the API and the dashboard it mounts
    plain = sorted({f"{route.path}: {d.call.__qualname__}"  # type: ignore[union-attr]
                    for route in app.routes if isinstance(route, APIRoute)
                    for d in _dependencies(route.dependant)
                    if d.call is not None and not inspect.iscoroutinefunction(d.call)})
    assert plain == [], "FastAPI runs each of these in a worker thread, one crossing each"


def test_a_post_looks_its_key_up_once(api: Api) -> None:
    store = api.node.store
    looked_up: list[str] = []
    real = store.get_key

    def counting(key_id: str):  # type: ignore[no-untyped-def]
        looked_up.append(key_id)
        return real(key_id)

    store.get_key = counting  # type: ignore[method-assign]
    try:
        r = api.client.post("/v1/access/decide", headers=api.auth("pep"), json={
            "site": "dc-demo", "door": "D-LOBBY", "credential": "badge:1001", "factors": [{"type": "badge"}]})
        assert r.status_code == 200, r.text
        assert len(looked_up) == 1  # the body gate's check; the route's authenticate reuses it
        looked_up.clear()
        assert api.client.get("/v1/alerts", params={"site": "dc-demo"}, headers=api.auth("read")).status_code == 200
        assert len(looked_up) == 1  # no body, no gate: the route's own lookup
    finally:
        del store.get_key  # type: ignore[method-assign]


def test_a_key_and_an_event_are_read_while_a_commit_holds_the_writers_lock(api: Api) -> None:
    store = api.node.store
    assert isinstance(store, SqliteStore)
    parsed = parse_token(api.keys["read"])
    assert parsed is not None
    answered = threading.Event()
    with store._lock:  # what an ingest batch holds through its fsync
        reader = threading.Thread(target=lambda: (store.get_key(parsed[0]), store.get("dc-demo", "nope"),
                                                  answered.set()))
        reader.start()
        assert answered.wait(10), "the reads waited for the writer's lock"
    reader.join()


def test_a_sqlite_key_is_checked_on_the_event_loop(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite reads a key on the calling thread's own connection without waiting for the writer, so
    the key check makes no crossing at all: a decision crosses once, for its route."""
    threads: list[str] = []
    real = auth.check_key

    def recording(*args: object) -> object:
        threads.append(threading.current_thread().name)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(auth, "check_key", recording)
    r = api.client.post("/v1/access/decide", headers=api.auth("pep"), json={
        "site": "dc-demo", "door": "D-LOBBY", "credential": "badge:1001", "factors": [{"type": "badge"}]})
    assert r.status_code == 200, r.text
    assert api.client.get("/v1/alerts", params={"site": "dc-demo"}, headers=api.auth("read")).status_code == 200
    assert len(threads) == 2
    assert not any(name.startswith("AnyIO worker") for name in threads), threads
