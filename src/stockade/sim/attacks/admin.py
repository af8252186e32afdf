"""Abuse of rights: an admin granting themself high-value access, vendors out of scope.

    >>> ATTACKS["self_grant"]     # doctest: +SKIP

- ``self_grant``: a person with admin rights grants themself access to a
  high-value zone (and the zones on the way), outside a change window unless
  variant ``in_window``, then walks there and takes a few items.
- ``vendor_out_of_scope``: a vendor's technician comes outside the contract's
  days or hours (variant ``hours``), or — after an honest-looking grant by an
  admin in a change window — into a zone the contract does not cover (``zone``).
"""

from __future__ import annotations

from stockade.sim.attacks.base import HOUR, Attack, is_open
from stockade.sim.walk import Walker
from stockade.sim.world import World
from stockade.site import calendar
from stockade.site.config import parse_clock


def _admins(w: World) -> list[str]:
    return [p.id for p in w.site.people if w.site.roles.get(p.role or "") is not None
            and w.site.roles[p.role or ""].admin]


class SelfGrant(Attack):
    type = "self_grant"

    def plan(self, w: World) -> None:
        lay = w.layout
        self.zone = self.spec.zone or (lay.hv_zones[0] if lay.hv_zones else lay.storage)
        admins = _admins(w)
        if self.spec.actor is None and not admins:
            raise self.fail(w, "actor", "the site has no person whose role has admin: true")
        self.actor = w.site.people_by_id[self.spec.actor or self.rng.choice(admins)]
        self.variant = self.spec.variant or self.rng.choice(["outside_window", "outside_window", "in_window"])
        want_window = self.variant == "in_window"
        self.start = self.when(w, hours=(9, 17), ok=lambda t: is_open(w, t) and is_open(w, t + 3 * HOUR)
                               and calendar.in_change_window(w.site, w.clock.dt(t)) == want_window)
        w.reserve(self.actor.id, self.start - 3 * HOUR, self.start + 4 * HOUR)

    def emit(self, w: World) -> None:
        lay, a, rng = w.layout, self.actor, self.rng
        me = a.model_copy(update={"role": a.role})
        route: list[str] = []
        zone = lay.entrance
        full = lay.path(_anyone(w), lay.entrance, self.zone or "", closed=False) or []
        for d in full:
            zone = lay.other_side(d, zone)
            if not lay.allowed(a, zone):
                route.append(zone)
        wk = Walker(w, me, self.start - self.ms(1800, 5400), lay.entrance, rng)
        wk.go(lay.home(a))
        wk.t = max(wk.t, self.start)
        first = None
        for z in route:
            ev = w.em.admin(wk.t, "iam", a.id, "grant_access", target=a.id, zone=z, detail="access level change")
            first = first or (wk.t, ev)
            wk.t += self.ms(5, 40)
        if first is None:
            raise self.fail(w, "actor", f"{a.id} may already enter {self.zone}; pick another actor")
        self.mark(*first)
        wk.stay(self.ms(600, 5400))
        wk.extra = frozenset(route)
        wk.go(self.zone or "")
        n = self.spec.count or rng.randint(0, 6)
        self.epcs = w.inventory.claim(self.zone or "", wk.t, n, rng) if n else []
        for e in self.epcs:
            w.inventory.leave(e, self.zone or "", wk.t)
        wk.stay(self.ms(120, 600))
        wk.go(lay.home(a))
        self.end = wk.t
        wk.stay(self.ms(1800, 3600))
        wk.go(lay.entrance)
        wk.finish()
        self.ents.people = [a.id]
        self.ents.credentials = a.credentials[:1]
        self.ents.zones = route
        self.ents.epcs = list(self.epcs)
        self.summary = f"{a.id} granted themself {', '.join(route)} ({self.variant}) and went in"


def _anyone(w: World):  # type: ignore[no-untyped-def]
    """A person allowed everywhere, to find the route to a zone whatever the roles."""
    return next((p for p in w.site.people if w.site.roles.get(p.role or "") is not None
                 and w.site.roles[p.role or ""].zones == "*"), w.site.people[0])


class VendorOutOfScope(Attack):
    type = "vendor_out_of_scope"

    def plan(self, w: World) -> None:
        vendors = [p for p in w.site.people if p.kind == "vendor" and p.vendor and p.credentials]
        if self.spec.actor is None and not vendors:
            raise self.fail(w, "actor", "the site has no vendor staff with a badge")
        self.actor = w.site.people_by_id[self.spec.actor] if self.spec.actor else self.rng.choice(vendors)
        v = w.site.vendors_by_id[self.actor.vendor or ""]
        c = v.contract
        self.variant = self.spec.variant or self.rng.choice(["hours", "hours", "zone"])
        outside = [z.id for z in w.site.zones if z.id not in c.zones and not z.public and z.kind != "perimeter"
                   and z.id not in w.layout.panel_of]
        self.zone = self.spec.zone or (self.rng.choice(outside) if self.variant == "zone" and outside else None)
        if self.variant == "zone":
            def ok(t: int) -> bool:
                return calendar.vendor_contract_covers(w.site, v.id, None, w.clock.dt(t)) and \
                    calendar.vendor_contract_covers(w.site, v.id, None, w.clock.dt(t + HOUR))
            self.start = self.when(w, hours=(parse_clock(c.start) / 60, parse_clock(c.end) / 60 - 1), ok=ok)
        else:
            self.start = self.when(w, hours=(0, 24), ok=lambda t: not calendar.vendor_contract_covers(
                w.site, v.id, None, w.clock.dt(t)) and not calendar.vendor_contract_covers(
                w.site, v.id, None, w.clock.dt(t + 2 * HOUR)))
        w.reserve(self.actor.id, self.start - 4 * HOUR, self.start + 4 * HOUR)

    def emit(self, w: World) -> None:
        lay, a, rng = w.layout, self.actor, self.rng
        contract_zones = w.site.vendors_by_id[a.vendor or ""].contract.zones
        extra: frozenset[str] = frozenset()
        if self.zone is not None:
            admins = _admins(w)
            grant_t = self.start - self.ms(600, 3000)
            w.em.admin(grant_t, "iam", rng.choice(admins) if admins else "iam-admin", "grant_access",
                       target=a.id, zone=self.zone, start=grant_t, end=grant_t + 8 * HOUR,
                       detail="maintenance job")
            extra = frozenset([self.zone] + [z.id for z in w.site.zones if z.id not in w.layout.panel_of])
        wk = Walker(w, a, self.start, lay.entrance, rng, extra=extra)
        target = self.zone or next((z for z in contract_zones if lay.allowed(a, z)
                                    and not w.site.zones_by_id[z].public), lay.home(a))
        with self.recording(w) as seen:
            wk.go(target)
        wk.stay(self.ms(900, 3600))
        wk.go(lay.entrance)
        wk.finish()
        grants = [x for x in seen if x[1].kind == "access"]
        if not grants:
            raise self.fail(w, "zone", f"{a.id} cannot reach {target}")
        first = grants[-1] if self.zone else grants[0]
        self.mark(first[0], first[1].id)
        self.end = wk.t
        self.ents.people = [a.id]
        self.ents.vendors = [a.vendor or ""]
        self.ents.credentials = a.credentials[:1]
        self.ents.zones = [target]
        self.summary = f"vendor {a.id} ({a.vendor}) in {target} outside the contract's {self.variant}"

