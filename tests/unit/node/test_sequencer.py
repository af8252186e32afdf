"""The sequencer seam: a per-site lock for the embedded node, a lease check for a cluster worker."""

from __future__ import annotations

import threading

import pytest

from stockade.node.sequencer import LeasedSequencer, LocalSequencer, NotOwner


def test_one_site_is_held_by_one_writer_at_a_time_and_other_sites_are_free() -> None:
    sequencer = LocalSequencer()
    got: list[str] = []

    def write(site: str) -> None:
        with sequencer.hold(site):
            got.append(site)

    with sequencer.hold("dc-1"):
        other, same = threading.Thread(target=write, args=("dc-2",)), threading.Thread(target=write, args=("dc-1",))
        other.start()
        other.join(5)
        same.start()
        same.join(0.2)
        assert got == ["dc-2"], "another site is free while dc-1 is held; dc-1 waits"
    same.join(5)
    assert got == ["dc-2", "dc-1"]


def test_a_worker_without_the_lease_refuses_to_sequence() -> None:
    owned = {"dc-1"}
    sequencer = LeasedSequencer(lambda site: site in owned)
    with sequencer.hold("dc-1"):
        pass
    with pytest.raises(NotOwner, match="dc-2"), sequencer.hold("dc-2"):
        pytest.fail("the body must not run without the lease")
    owned.clear()  # the lease expired or another worker took it
    with pytest.raises(NotOwner), sequencer.hold("dc-1"):
        pytest.fail("the body must not run after the lease is lost")


def test_an_urgent_writer_goes_before_the_batches_waiting_for_the_site() -> None:
    """A decision the door waits for is let in before a batch that came first (issue 11.8)."""
    sequencer = LocalSequencer()
    lock = sequencer._lock("dc-1")
    order: list[str] = []

    def write(name: str, urgent: bool) -> None:
        with sequencer.hold("dc-1", urgent=urgent):
            order.append(name)

    batch = threading.Thread(target=write, args=("batch", False))
    decision = threading.Thread(target=write, args=("decision", True))
    assert not sequencer.contended("dc-1")
    with sequencer.hold("dc-1"):
        batch.start()
        with lock.cond:
            assert lock.cond.wait_for(lambda: lock.waiting == 1, timeout=5)
        decision.start()
        with lock.cond:
            assert lock.cond.wait_for(lambda: lock.waiting == 2, timeout=5)
    batch.join(5)
    decision.join(5)
    assert order == ["decision", "batch"]
    assert sequencer.contended("dc-1")
    assert not sequencer.contended("dc-2")
