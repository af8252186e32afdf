"""Benign look-alikes: the ordinary disruptions every site has, that look like attacks to a naive detector.

    lookalikes:
      - {type: planned_maintenance, day: 1, time: "10:20"}   # change_config in the change window, cameras down, back
      - {type: fire_drill, day: 2, time: "14:00"}             # announced in the site file (planned: drill)

They carry no label: any incident they raise is a false one. Types:

- ``planned_maintenance``: an admin ``change_config`` per camera inside a
  change window, the cameras offline ten minutes later for 20 to 40 minutes,
  then back (the events say it is planned).
- ``announced_maintenance``: cameras and readers offline at night inside a
  ``maintenance`` window the site file declares (the scenario adds it to the site).
- ``fire_drill``: fire exits pushed open and held, the lobby door held, crowds
  through door cameras with no badge; a ``drill`` window in the site file.
- ``full_recount``: a supervisor counts a zone bin by bin and corrects the
  records, up and down, a dozen adjustments in one sitting.
- ``night_patrol``: the night guard, on duty, disarms the cage with their own
  code, walks through it and re-arms it.
- ``perimeter_wind``: one fence or beam trigger in daylight with nothing behind it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from stockade.sim.clock import HOUR, MINUTE, SimClock
from stockade.sim.errors import ScenarioError
from stockade.sim.scenario import LookalikeSpec, Scenario
from stockade.sim.walk import Walker
from stockade.sim.world import World
from stockade.site import SiteConfig, calendar, parse_site
from stockade.site.config import parse_clock

PLANNED_KINDS = {"announced_maintenance": "maintenance", "fire_drill": "drill"}


def _start(clock: SimClock, spec: LookalikeSpec) -> int:
    day = clock.days()[0] + timedelta(days=spec.day)
    return clock.at_local(day, parse_clock(spec.time))


def _length_ms(spec: LookalikeSpec) -> int:
    default = {"announced_maintenance": 90, "fire_drill": 25}.get(spec.type, 30)
    return int((spec.duration_min or default) * MINUTE)


def planned_site(scenario: Scenario, site: SiteConfig) -> SiteConfig:
    """The site with the maintenance windows and drills its look-alikes announce (``planned:``)."""
    wanted = [(i, s) for i, s in enumerate(scenario.model.lookalikes) if s.type in PLANNED_KINDS]
    if not wanted:
        return site
    clock = SimClock(scenario.model.start, site.tz, int(scenario.duration_s * 1000))
    data: dict[str, Any] = site.model_dump(mode="json", exclude_none=True)
    for i, spec in wanted:
        t = _start(clock, spec)
        data.setdefault("planned", []).append({
            "id": f"sim-{spec.type}-{i + 1}", "kind": PLANNED_KINDS[spec.type],
            "window": [clock.dt(t - 10 * MINUTE).isoformat(), clock.dt(t + _length_ms(spec) + 10 * MINUTE).isoformat()],
            "note": "announced by the scenario"})
    return parse_site(data, f"{scenario.path} (planned work)")


def plan_lookalikes(w: World) -> None:
    """Before honest traffic: a patrolling guard's night is theirs (their honest shift is left out)."""
    for i, spec in enumerate(w.scenario.model.lookalikes):
        if spec.type != "night_patrol":
            continue
        t = _start(w.clock, spec)
        site = w.site
        guards = [p for p in site.people if site.roles.get(p.role or "") is not None
                  and site.roles[p.role or ""].responder and calendar.on_shift(site, p, w.clock.dt(t))
                  and not w.is_reserved(p.id, t - HOUR, t + 2 * HOUR)]
        if guards:
            g = w.rng("lookalike", i, spec.type, "who").choice(guards)
            w.reserve(g.id, t - HOUR, t + 2 * HOUR)
            w.patrols[i] = g.id


def run_lookalikes(w: World, start: int, end: int) -> None:
    """Emit the look-alikes that start in [start, end) (one local day, after its honest traffic)."""
    for i, spec in enumerate(w.scenario.model.lookalikes):
        t = _start(w.clock, spec)
        if not start <= t < end:
            continue
        rng = w.rng("lookalike", i, spec.type)
        if spec.type == "night_patrol":
            guard = w.patrols.get(i)
            if guard is not None:
                night_patrol(w, t, guard, rng)
        else:
            GENERATORS[spec.type](w, t, spec, rng)
        w.stats[f"lookalike_{spec.type}"] += 1


def _maintenance(w: World, t: int, spec: LookalikeSpec, rng: Any, *, announce: bool) -> None:
    site = w.site
    cams = [c.id for c in site.cameras if c.door is None]
    k = min(len(cams), spec.count or rng.randint(3, 5))
    chosen = rng.sample(cams, k)
    admins = [p.id for p in site.people if site.roles.get(p.role or "") is not None and site.roles[p.role or ""].admin]
    source = change_source(w) if announce else ""
    down = t + 10 * MINUTE if announce else t
    back = down + (rng.randrange(20 * MINUTE, 40 * MINUTE) if announce else _length_ms(spec))
    for c in chosen:
        if announce:
            w.em.admin(t + rng.randrange(1000, 60_000), source, admins[0] if admins else "it-admin",
                       "change_config", target=c, detail="firmware update")
        w.outage(c, down, back)
        w.em.device(down + rng.randrange(1000, 30_000), c, c, "offline", "maintenance")
        w.em.device(back + rng.randrange(1000, 30_000), c, c, "online")


def change_source(w: World) -> str:
    """The declared source that files configuration changes (a change-management system)."""
    found = next((x.id for x in w.site.sources if "change_config" in x.actions), None)
    if found is None:
        raise ScenarioError(w.scenario.path, "site", f"site {w.site.site} declares no source for change_config"
                            " (sources: [{id: cmdb, kinds: [admin], actions: [change_config]}])")
    return found


def planned_maintenance(w: World, t: int, spec: LookalikeSpec, rng: Any) -> None:
    _maintenance(w, t, spec, rng, announce=True)


def announced_maintenance(w: World, t: int, spec: LookalikeSpec, rng: Any) -> None:
    _maintenance(w, t, spec, rng, announce=False)


def fire_drill(w: World, t: int, spec: LookalikeSpec, rng: Any) -> None:
    site, em = w.site, w.em
    zones = site.zones_by_id
    exits = [d.id for d in site.doors if any(zones[z].kind == "perimeter" for z in d.zones)]
    lobby = next((d.id for d in site.doors if zones[d.zones[0]].kind == "yard"
                  and zones[d.zones[1]].public), None)
    length = _length_ms(spec)
    crowd = spec.count or rng.randint(15, 40)
    for door in exits + ([lobby] if lobby else []):
        opened = t + rng.randrange(20_000, 90_000)
        em.door(opened, door, "open")
        held = 30_000
        while held < length:
            em.door(opened + held, door, "held", duration_s=held // 1000)
            held += 60_000
        em.door(opened + length, door, "closed", duration_s=length // 1000)
        cam = w.layout.door_camera.get(door)
        if cam is not None and not w.down(cam, opened):
            em.video(opened + 5000, cam, "person", "line_cross", zone=site.doors_by_id[door].zones[0],
                     count=crowd, track=w.uid("trk-"), score=0.9)


def full_recount(w: World, t: int, spec: LookalikeSpec, rng: Any) -> None:
    site = w.site
    sups = [p for p in site.people if "supervisor" in (p.role or "") and calendar.on_shift(site, p, w.clock.dt(t))]
    sups = sups or [p for p in site.people if "supervisor" in (p.role or "")]
    zone = w.layout.storage
    if not sups or zone is None:
        return
    who = rng.choice(sups)
    skus = [s.sku for s in site.skus if not s.high_value] or [s.sku for s in site.skus]
    at = t
    for k in range(spec.count or rng.randint(10, 16)):
        at += rng.randrange(2 * MINUTE, 6 * MINUTE)
        sku = rng.choice(skus)
        found = w.inventory.present(zone, at)
        loc = w.inventory.location(found[0], zone) if found else zone
        in_bin = [e for e in found if w.inventory.location(e, zone) == loc]
        w.em.stock(at, "count", to=loc, epcs=in_bin, user=who.id)
        qty = 1 if k % 2 else -1
        w.em.stock(at + rng.randrange(20_000, 90_000), "adjust", **{"from": loc}, sku=sku, qty=qty,
                   reason="found" if qty > 0 else "correction", user=who.id)


def night_patrol(w: World, t: int, guard: str, rng: Any) -> None:
    lay = w.layout
    zone = lay.hv_zones[0] if lay.hv_zones else None
    panel = lay.panel_of.get(zone or "")
    if zone is None or panel is None:
        return
    g = w.site.people_by_id[guard]
    wk = Walker(w, g, t - 20 * MINUTE, lay.entrance, rng, extra=frozenset([zone]))
    wk.go(lay.desk)
    wk.t = max(wk.t, t)
    w.em.sensor(wk.t, panel, zone, "disarm", user=g.id)
    wk.go(zone)
    wk.stay(rng.randrange(2 * MINUTE, 6 * MINUTE))
    wk.go(lay.desk)
    w.em.sensor(wk.t + rng.randrange(30_000, 90_000), panel, zone, "arm", user=g.id)
    wk.stay(rng.randrange(10 * MINUTE, 30 * MINUTE))
    wk.go(lay.entrance)
    wk.finish()
    w.busy.setdefault(g.id, []).append((t - 20 * MINUTE, wk.t))


def perimeter_wind(w: World, t: int, spec: LookalikeSpec, rng: Any) -> None:
    sensors = [s for s in w.site.sensors if s.type in ("fence", "beam")]
    if sensors:
        s = rng.choice(sensors)
        w.em.sensor(t, s.id, s.zone, s.type, value=round(rng.uniform(0.2, 1.0), 2))


GENERATORS = {
    "planned_maintenance": planned_maintenance, "announced_maintenance": announced_maintenance,
    "fire_drill": fire_drill, "full_recount": full_recount, "perimeter_wind": perimeter_wind,
}
