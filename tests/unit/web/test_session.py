from datetime import timedelta

from stockade.web.session import Identity, Sessions

ME = Identity("k1", ("read",), frozenset({"read"}), None)


def test_a_session_lives_while_used_and_ends_after_its_idle_time() -> None:
    now = [0.0]
    sessions = Sessions(timedelta(minutes=15), clock=lambda: now[0])
    s = sessions.create("stk_k1_x", ME)
    now[0] = 14 * 60
    assert sessions.get(s.id) is s  # used: its idle clock restarts
    now[0] = 28 * 60
    assert sessions.get(s.id) is s
    now[0] = 28 * 60 + 15 * 60 + 1
    assert sessions.get(s.id) is None
    assert sessions.get(s.id) is None  # gone, not revived


def test_sign_out_ends_the_session_and_unknown_ids_find_nothing() -> None:
    sessions = Sessions(timedelta(minutes=15))
    s = sessions.create("stk_k1_x", ME)
    sessions.end(s.id)
    assert sessions.get(s.id) is None
    assert sessions.get("not-a-session") is None
    assert sessions.get(None) is None


def test_csrf_tokens_are_per_session_and_compared_exactly() -> None:
    sessions = Sessions(timedelta(minutes=15))
    a, b = sessions.create("t", ME), sessions.create("t", ME)
    assert a.csrf != b.csrf
    assert a.id != b.id
    assert a.csrf_ok(a.csrf)
    assert not a.csrf_ok(b.csrf)
    assert not a.csrf_ok(None)
    assert not a.csrf_ok("")


def test_an_alert_is_rendered_once_for_every_dashboard_watching() -> None:
    from stockade.web.render import Rendered
    calls: list[int] = []

    def render() -> str:
        calls.append(1)
        return "<tr>\n<td>x</td></tr>"

    rendered = Rendered(size=2)
    first = rendered.message("dc-demo", 7, render)
    assert first == b"event: alert\ndata: <tr>\ndata: <td>x</td></tr>\n\n"
    assert all(rendered.message("dc-demo", 7, render) is first for _ in range(49))
    assert len(calls) == 1
    rendered.message("dc-demo", 8, render)
    rendered.message("dc-other", 7, render)  # another site's seq 7 is another alert
    assert len(calls) == 3
    rendered.message("dc-demo", 7, render)  # bounded: the oldest was forgotten
    assert len(calls) == 4
