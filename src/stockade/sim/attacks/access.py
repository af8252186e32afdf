"""Attacks on doors and badges: tailgating, cloned badges, badge probing, propped doors.

    >>> ATTACKS["tailgating"]     # doctest: +SKIP

- ``tailgating``: one or more people follow a badge holder through a door a
  camera watches, without badging (the camera counts more than were granted).
- ``cloned_badge``: a copy of a holder's badge is used while the holder is on
  leave (variant ``leave``) or at a door farther from the holder's last door
  than anyone could walk in the time (variant ``far``).
- ``badge_probing``: a burst of denied attempts at one door with several
  cards (variant ``cards``) or one card tried at several doors (``doors``).
- ``propped_door``: a door is opened (by a badge, or a fire exit without one)
  and left open for many minutes, reported as ``held`` with a growing duration.
"""

from __future__ import annotations

from stockade.sim.attacks.base import HOUR, MINUTE, Attack, is_open
from stockade.sim.staff import shift_span
from stockade.sim.walk import HELD_AFTER_MS, Passer, Walker, door_pass, factors_for
from stockade.sim.world import World
from stockade.site import calendar
from stockade.site.topology import Topology


class Tailgating(Attack):
    type = "tailgating"

    def plan(self, w: World) -> None:
        lay = w.layout
        doors = [d for d in lay.door_camera if d in w.site.doors_by_id]
        door = self.spec.door or (self.rng.choice(doors) if doors else None)
        if door is None or door not in lay.door_camera:
            raise self.fail(w, "door", "tailgating needs a door watched by a camera (cameras[].door)")
        self.door: str = door
        self.into = w.site.doors_by_id[self.door].zones[1]
        outer = w.site.doors_by_id[self.door].zones[0]
        self.actor = self.person(w, lambda p: p.shift is not None and p.kind == "employee"
                                 and lay.allowed(p, self.into) and lay.allowed(p, outer)
                                 and lay.path(p, lay.entrance, self.into, closed=False) is not None
                                 and w.site.roles[p.role or ""].zones != "*", f"worker who may pass {self.door}")
        self.start = self.when(w, hours=(7, 20), ok=lambda t: is_open(w, t) and is_open(w, t + 2 * HOUR))
        w.reserve(self.actor.id, self.start - 2 * HOUR, self.start + 2 * HOUR)
        self.followers = self.spec.count or self.rng.choice([1, 1, 1, 2])

    def emit(self, w: World) -> None:
        lay, a, rng = w.layout, self.actor, self.rng
        outer = w.site.doors_by_id[self.door].zones[0]
        wk = Walker(w, a, self.start - 10 * MINUTE, lay.entrance, rng)
        wk.go(outer)
        wk.t = max(wk.t + 20_000, self.start)
        with self.recording(w) as seen:
            wk.t = door_pass(w, wk.t, self.door, self.into, [Passer(a, wk.credential)], rng,
                             followers=self.followers, hold_ms=self.ms(6, 14))
        wk.go(self.into, skip_first=True)
        cross = next((t, e) for t, e in seen if e.kind == "video")
        self.mark(cross[0], cross[1].id)
        self.end = max(t for t, _ in seen)
        wk.stay(self.ms(600, 1800))
        wk.go(lay.entrance)
        wk.finish()
        self.ents.doors = [self.door]
        self.ents.zones = [self.into]
        self.ents.devices = [lay.door_camera[self.door]]
        self.ents.people = [a.id]
        self.ents.credentials = a.credentials[:1]
        self.summary = f"{self.followers} unbadged person(s) followed {a.id} through {self.door}"


class ClonedBadge(Attack):
    type = "cloned_badge"

    def plan(self, w: World) -> None:
        days = w.clock.days()
        on_leave = [p for p in w.site.people if p.credentials and p.shift is not None
                    and any(calendar.on_leave(p, d) for d in days[1:-1])]
        self.variant = self.spec.variant or ("leave" if on_leave and self.rng.random() < 0.5 else "far")
        if self.variant == "leave":
            pool = [p for p in on_leave if self.spec.actor in (None, p.id)]
            if not pool:
                raise self.fail(w, "variant", "no badge holder is on leave during the run")
            self.actor = self.rng.choice(pool)
            leave_days = [d for d in days[1:-1] if calendar.on_leave(self.actor, d)]
            d = self.rng.choice(leave_days)
            self.start = w.clock.at_local(d, self.rng.uniform(7, 18) * 60) if self.spec.at is None \
                and self.spec.day is None else self.when(w, hours=(7, 18))
        else:
            self.actor = self.person(w, lambda p: bool(p.credentials) and p.shift is not None
                                     and p.kind == "employee" and w.site.roles[p.role or ""].zones != "*",
                                     "badge holder with a shift")
            spans = [sp for d in days[1:] if (sp := shift_span(w, self.actor, d)) is not None
                     and sp[1] < w.clock.duration_ms]
            if not spans:
                raise self.fail(w, "actor", f"{self.actor.id} works no shift inside the run")
            sp = self.rng.choice(spans)
            self.start = sp[0] + self.rng.randrange(HOUR, max(sp[1] - sp[0] - 2 * HOUR, HOUR + 1))
            w.reserve(self.actor.id, sp[0] - HOUR, sp[1] + HOUR)
            self.shift = sp

    def emit(self, w: World) -> None:
        lay, a, rng = w.layout, self.actor, self.rng
        cred = a.credentials[0]
        topo = Topology.of(w.site)
        with self.recording(w) as seen:
            if self.variant == "leave":
                wk = Walker(w, a, self.start, lay.entrance, rng)
                wk.go(lay.home(a))
                wk.stay(self.ms(300, 1500))
                wk.go(lay.entrance)
                wk.finish()
                first = min((x for x in seen if x[1].kind == "access"), key=lambda x: x[0])
            else:
                wk = Walker(w, a, self.shift[0] - 15 * MINUTE, lay.entrance, rng)
                wk.go(lay.home(a))
                wk.t = max(wk.t, self.start)
                wk.go(lay.entrance if lay.home(a) != lay.entrance else lay.home(a))
                last = max((x for x in seen if x[1].kind == "access"), key=lambda x: x[0])
                last_door = getattr(last[1], "door", "")
                far = [d.id for d in w.site.doors if topo.door_hops(last_door, d.id) >= 2]
                door = self.spec.door or rng.choice(far or [d.id for d in w.site.doors])
                t = last[0] + self.ms(5, 25)
                into = w.site.doors_by_id[door].zones[1]
                first_id = w.em.access(t, door, "granted", factors_for(w, door), subject=a.id, credential=cred,
                                       direction="in")
                door_pass(w, t + 500, door, into, [], rng)
                first = (t, next(e for tt, e in seen if e.id == first_id))
                wk.go(lay.home(a))
                wk.t = max(wk.t, self.shift[1])
                wk.go(lay.entrance)
                wk.finish()
        self.mark(first[0], first[1].id)
        self.end = first[0] + 10 * MINUTE
        self.ents.people = [a.id]
        self.ents.credentials = [cred]
        self.ents.doors = [getattr(first[1], "door", "")]
        self.summary = f"badge {cred} of {a.id} used {'while on leave' if self.variant == 'leave' else 'in two places'}"


class BadgeProbing(Attack):
    type = "badge_probing"

    def plan(self, w: World) -> None:
        lay = w.layout
        self.variant = self.spec.variant or self.rng.choice(["cards", "doors"])
        pin = sorted(lay.pin_doors) or [d.id for d in w.site.doors]
        self.door = self.spec.door or self.rng.choice(pin)
        self.start = self.when(w, hours=(0, 24))
        self.attempts = self.spec.count or self.rng.randint(4, 14)
        self.actor = None
        if self.variant == "doors":
            self.actor = self.person(w, lambda p: bool(p.credentials) and w.site.roles.get(p.role or "")
                                     is not None and w.site.roles[p.role or ""].zones != "*", "badge holder")

    def emit(self, w: World) -> None:
        rng, t = self.rng, self.start
        doors = [self.door]
        if self.variant == "doors" and self.actor is not None:
            a = self.actor
            doors = [d.id for d in w.site.doors if not w.layout.allowed(a, d.zones[1])] or doors
        creds: list[str] = []
        for k in range(self.attempts):
            t += self.ms(3, 30)
            if self.variant == "doors" and self.actor is not None:
                door = doors[k % len(doors)] if self.spec.door is None else self.door
                cred, subj, reason = self.actor.credentials[0], self.actor.id, "not_authorized"
            else:
                door = self.door
                cred, subj, reason = f"badge:{rng.randrange(20000, 99999)}", None, "unknown_credential"
            creds.append(cred)
            ev = w.em.access(t, door, "denied", factors_for(w, door), subject=subj, credential=cred,
                             direction="in", reason=reason)
            self.mark(t, ev)
            self.ents.doors.append(door)
        self.end = t
        self.ents.credentials = creds
        self.ents.people = [self.actor.id] if self.actor else []
        self.summary = f"{self.attempts} denied attempts ({self.variant})"


class ProppedDoor(Attack):
    type = "propped_door"

    def plan(self, w: World) -> None:
        zones = w.site.zones_by_id
        edge = [d.id for d in w.site.doors if {zones[z].kind for z in d.zones} & {"perimeter", "yard"}
                and not all(zones[z].public for z in d.zones)]
        self.door = self.spec.door or self.rng.choice(edge or [d.id for d in w.site.doors])
        self.start = self.when(w, hours=(0, 24))
        self.open_ms = int((self.spec.duration_min or self.rng.uniform(8, 60)) * MINUTE)
        inner = [z for z in w.site.doors_by_id[self.door].zones if not zones[z].public]
        self.variant = self.spec.variant or ("badge" if inner and self.rng.random() < 0.7 else "no_badge")
        self.actor = None
        if self.variant == "badge":
            pool = [p for p in w.site.people if p.credentials and p.kind == "employee"
                    and all(w.layout.allowed(p, z) for z in w.site.doors_by_id[self.door].zones)]
            self.actor = self.rng.choice(pool) if pool else None

    def emit(self, w: World) -> None:
        rng, t, door = self.rng, self.start, self.door
        a, b = w.site.doors_by_id[door].zones
        with self.recording(w) as seen:
            if self.actor is not None:
                w.em.access(t, door, "granted", factors_for(w, door), subject=self.actor.id,
                            credential=self.actor.credentials[0], direction="out")
            opened = t + 900
            w.em.door(opened, door, "open")
            held = HELD_AFTER_MS
            while held < self.open_ms:
                w.em.door(opened + held, door, "held", duration_s=held // 1000)
                held += HELD_AFTER_MS
            w.em.door(opened + self.open_ms, door, "closed", duration_s=round(self.open_ms / 1000, 1))
        first = next((x for x in seen if x[1].kind == "door" and getattr(x[1], "state", "") == "held"), seen[0])
        self.mark(first[0], first[1].id)
        self.end = opened + self.open_ms
        self.ents.doors = [door]
        self.ents.zones = [a, b]
        self.ents.people = [self.actor.id] if self.actor else []
        self.ents.credentials = self.actor.credentials[:1] if self.actor else []
        self.summary = f"{door} propped open {self.open_ms // 60000} min ({self.variant})"
        del rng
