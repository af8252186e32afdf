"""Pure rules of the cluster's bus: subjects, message ids, partitions, consumer names.

    >>> subject_in("dc-paris.1")
    'stk.in.dc-paris%2E1'
    >>> msg_id("dc-1", "door-42")
    'dc-1/door-42'
    >>> partition_of("dc-1", 8) == fnv1a_32(b"dc-1") % 8
    True

A site id may hold a dot, which NATS reads as a token separator: it is written
``%2E`` in a subject (``%`` is not allowed in a site id, so nothing else is
changed). The message id is ``<site>/<event id>``: event ids are unique per site,
and JetStream's dedup window is per stream, so the site is part of it; an event
id has no ``/``. A site's partition is NATS's own ``partition(N, token)``
function (FNV-1a 32 of the subject token, modulo N), so a server-side subject
mapping ``stk.in.* -> stk.part.{{partition(N,1)}}.{{wildcard(1)}}`` would agree.
"""

from __future__ import annotations

import hashlib

IN_PREFIX = "stk.in."
OUT_PREFIX = "stk.out."


def site_token(site: str) -> str:
    return site.replace(".", "%2E")


def subject_in(site: str) -> str:
    """Where API nodes publish a site's input (and the decisions they make for it)."""
    return IN_PREFIX + site_token(site)


def subject_out(site: str) -> str:
    """Where the worker that owns a site publishes what it committed (the API nodes serve it)."""
    return OUT_PREFIX + site_token(site)


def site_of(subject: str) -> str:
    """The site of an ``stk.in.`` or ``stk.out.`` subject."""
    token = subject.split(".", 2)[2]
    return token.replace("%2E", ".")


def msg_id(site: str, event_id: str) -> str:
    return f"{site}/{event_id}"


def fnv1a_32(data: bytes) -> int:
    h = 0x811C9DC5
    for byte in data:
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


def partition_of(site: str, partitions: int) -> int:
    return fnv1a_32(site_token(site).encode()) % partitions


def consumer_name(site: str) -> str:
    """The durable pull consumer of a site (NATS names allow no dots, slashes or wildcards)."""
    return "stk-" + hashlib.sha256(site.encode()).hexdigest()[:24]


def lease_key(partition: int) -> str:
    return f"partition.{partition}"


def worker_key(worker: str) -> str:
    return f"worker.{worker}"


def facts_key(site: str) -> str:
    """A site's facts in the facts bucket (KV keys allow no ``%`` or ``:``: the site id in hex)."""
    return "facts." + site.encode().hex()


def beat_key(site: str) -> str:
    """The heartbeat of a site's facts in the facts bucket."""
    return "beat." + site.encode().hex()


def site_of_key(key: str) -> str:
    """The site of a ``facts.`` or ``beat.`` key (ValueError for anything else)."""
    return bytes.fromhex(key.split(".", 1)[1]).decode()
