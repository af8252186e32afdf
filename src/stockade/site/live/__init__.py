"""The live site: pure fold parts that the engine AND the access decision point both use.

One picture of who may be where, so detection and enforcement cannot disagree.
Each part folds events in log order, reads no clock and does no I/O; each
saves to and loads from a typed msgspec snapshot.

    positions  where each person last went in (granted accesses), when they came in, reset_passback
    rights     grants, revocations, schedule overrides, flagged credentials: "may this person be here now?"
    threat     threat levels per zone and site-wide
    armed      each zone's armed state (panels and operators)
    devices    device health (down, silent, tampered), per-source sequence numbers
    stock      where each EPC is expected, what happened to it, its last read; tombstones for departed EPCs

The engine's :class:`~stockade.engine.state.SiteState` and the decision point's
:class:`~stockade.access.facts.Facts` hold these parts; both feed them only the
``admin`` events :func:`stockade.site.authority.admitted` admits.

The rules (DESIGN.md "More rules the detectors and the simulators share";
where DESIGN is silent, the narrower right, which fails secure at a door):

- **Who.** An admin ``target`` is a person id, or a credential of a person in
  the site file (the holder).
- **Grants.** ``grant_access`` gives a person one zone within ``[start, end)``:
  from the event's time when ``start`` is missing, until revoked when ``end`` is
  missing. A grant with no ``zone`` grants nothing (DESIGN names no "all zones"
  grant; the engine used to read it as every zone).
- **Revocations.** ``revoke_access`` with a ``zone`` ends the person's grants
  there and their right to that zone; with no zone, all of them. A revocation
  takes the right whichever way it came, the role's included ("… until a
  ``revoke_access``"), and stands: a later ``grant_access`` gives what it says
  (its zone, its window) and nothing more.
  ``revoke_access`` naming a credential with no zone revokes that credential
  (it is flagged, like ``flag_credential``) and, being a revocation of every
  zone for its holder, their rights too (the narrower reading: the decision
  point used to flag the badge only, the engine to revoke the holder only).
- **May be in a zone** (:meth:`Rights.may_be_in`): the zone is public, or a grant
  covers it now, or the person's role lists it and it is not revoked.
- **Schedule overrides.** ``schedule_override`` covers the person outside their
  shift within ``[start, end)`` (from the event's time; 12 hours when ``end`` is
  missing), in every zone, whatever its ``zone`` says. DESIGN defines "after
  hours" per person ("outside their shift … and not covered by a
  ``schedule_override``"), and an override lifts only the shift limit, never a
  zone right: the person still needs their role or a grant for each zone, so
  this is no wider grant. (The decision point used to honour an override only in
  the zone it named; overtime approved "in storage" then refused the walk to the
  pack bench and out through the lockers that the same overtime needs.)
- Windows that ended before a new one is added are dropped, and a person keeps
  at most :data:`~stockade.site.live.rights.MAX_WINDOWS` of each kind (the oldest
  goes first), so the tables are bounded by what is open.
- **Positions.** A granted access through a known door by a known person puts
  them in the zone it leads into: ``in`` the door's second zone, ``out`` its first,
  no direction the side that is not where they were last seen (the decision
  point used to assume ``in``). ``reset_passback`` forgets where they are.
- **Threat levels** change only by Stockade's own ``set_threat_level`` (level
  in ``attrs.level``) and ``clear_threat_level`` (back to ``normal``); a zone's
  level is the higher of its own and the site's. (The engine used to take any
  source, the level from ``detail`` too, and ignored a clear.)
- **Armed state** comes from a panel's ``arm``/``disarm`` sensor event or an
  admin ``arm``/``disarm`` naming the zone; unknown until the first.
- **Device health**: see :mod:`stockade.site.live.devices`; a device is
  *tampered* from a ``tamper`` status until an ``online`` from it.
- **Stock**: see :mod:`stockade.site.live.stock` (expectations, and when a
  departed EPC is forgotten).
"""
