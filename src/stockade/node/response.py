"""Incident response in the node: a planner per site fed on commit and by ticks, one executor.

The node calls :meth:`Response.observe` with what each commit changed in the
incident projection (and the doors' state events), and :meth:`Response.tick`
every second, at ``clock``: the wall clock, or a simulated night's event time
(:mod:`stockade.sim.eventtime`, whose driver also ticks at each
:meth:`Response.next_due`). Both run the site's
:class:`~stockade.response.planner.Planner` under one lock and hand its
decisions to the :class:`~stockade.node.executor.Executor`'s
queue (the executor writes to the log itself, so it runs on its own thread,
never inside a commit). At start, each planner is rebuilt from the open
incidents of the projection and the executor sends what the log shows planned
but not sent.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime

from stockade.events import Door, Envelope, Gate, Stock
from stockade.node.executor import Executor, open_incidents
from stockade.response.planner import Planner
from stockade.response.playbook import PlaybookSet
from stockade.response.steps.base import site_facts
from stockade.site import SiteConfig
from stockade.store import Store
from stockade.store.incidents import Changed

log = logging.getLogger(__name__)


class Response:
    def __init__(self, sites: Mapping[str, SiteConfig], playbooks: PlaybookSet, store: Store, executor: Executor,
                 *, drill: bool = False, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.sites = sites
        self.playbooks = playbooks
        self.store = store
        self.executor = executor
        self.drill = drill
        self.clock = clock  # event time in drills and the demo; the wall clock in a live node
        self._lock = threading.Lock()
        self.planners = self._planners()

    def _planners(self) -> dict[str, Planner]:
        return {s: Planner(s, self.playbooks.playbooks, site_facts(cfg), drill=self.drill)
                for s, cfg in self.sites.items()}

    def observe(self, site: str, changed: Sequence[Changed], events: Sequence[tuple[int, Envelope]]) -> None:
        planner = self.planners.get(site)
        if planner is None:
            return
        doors = [e for _, e in events if isinstance(e, Door)]
        goods = [e for _, e in events if isinstance(e, Stock | Gate)]
        if not changed and not doors and not goods:
            return
        with self._lock:
            decisions = []
            for g in goods:
                decisions += planner.goods(g)
            for c in changed:
                decisions += planner.observe(c.after, c.after.updated or c.after.opened)
            for d in doors:
                decisions += planner.door(d.door, d.state, d.ts)
        self.executor.submit(decisions)

    def tick(self, now: datetime | None = None) -> None:
        """Run the timers due at ``now`` (default: the wall clock; a drill passes event time)."""
        now = now or self.clock()
        with self._lock:
            decisions = [d for p in self.planners.values() for d in p.tick(now)]
        self.executor.submit(decisions)

    def next_due(self) -> datetime | None:
        """The earliest timer due on any site (None: none queued)."""
        with self._lock:
            due = [d for p in self.planners.values() if (d := p.next_due()) is not None]
        return min(due, default=None)

    def rebuild(self) -> None:
        """Planners from the projection's open incidents (the log is their memory)."""
        with self._lock:
            self.planners = self._planners()
            for site, planner in self.planners.items():
                for state in open_incidents(self.store, site):
                    self.executor.submit(planner.observe(state, state.updated or state.opened))

    def start(self) -> None:
        for site in self.sites:
            if n := self.executor.recover(site):
                log.info("%s: %d intents logged as planned but not sent are queued to be sent", site, n)
        self.rebuild()
        self.executor.start()

    def stop(self) -> None:
        self.executor.stop()

    def reload_if_changed(self) -> None:
        before = self.playbooks.playbooks
        error = self.playbooks.reload_if_changed()
        if error is not None:
            log.error("playbooks not reloaded, the previous set stays in force: %s", error)
        if self.playbooks.playbooks is not before:
            self.rebuild()
