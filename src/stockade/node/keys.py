"""API keys: ``stk_<id>_<secret>``; only a SHA-256 of the secret is stored.

The secret is 32 random bytes, so a fast hash is enough (there is nothing to
brute-force); comparison is constant-time.

    >>> token, record = new_key(("ingest",), site="dc-demo", sources=("ctl-1",))
    >>> token.startswith("stk_"), record.kinds
    (True, ('access', 'device', 'door', 'gate', 'sensor', 'tag', 'video'))

Every key may be bound to a site; an ``ingest`` key must be, and must name
its sources (a key with no sources cannot claim any source it likes) and is
limited to the kinds it may send: the device kinds unless others are named.
``admin`` and the system kinds (``stock``) are sent only for a source the
site file declares for them; output kinds and ``stockade:`` sources never.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import replace

from stockade.events.model import INPUT_KINDS, OUTPUT_KINDS
from stockade.site.sources import DEVICE_KINDS, is_own_source
from stockade.store import ApiKeyRecord

ROLE_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
SCOPES = ("ingest", "pep", "read", "analyst", "admin", "auditor")
SCOPE_HELP: dict[str, str] = {
    "ingest": "a device or system posting events (POST /v1/events), bound to a site, its sources and kinds",
    "pep": "a door controller asking for access decisions (POST /v1/access/decide)",
    "read": "dashboards and tools reading events, alerts, incidents, risk, the ledger and metrics",
    "analyst": "read, plus setting threat levels and working incidents",
    "auditor": "read, for auditors verifying the ledger",
    "admin": "every human scope, plus admin changes (POST /v1/admin/{site}/events); not ingest or pep",
}
"""One line per scope: what a key with it is for (printed by ``stockade init``)."""


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_key(
    scopes: tuple[str, ...], *, site: str | None = None, sources: tuple[str, ...] = (),
    kinds: tuple[str, ...] = (), label: str = "", roles: tuple[str, ...] = (),
) -> tuple[str, ApiKeyRecord]:
    """A fresh key: the token to hand out once, and the record to store. ValueError says what is wrong."""
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown:
        raise ValueError(f"unknown scope(s) {unknown}; known: {', '.join(SCOPES)}")
    if not scopes:
        raise ValueError(f"a key needs a scope: {', '.join(SCOPES)}")
    if "ingest" in scopes:
        kinds = _ingest_kinds(site, sources, kinds)
    elif sources or kinds:
        raise ValueError("only ingest keys have sources and kinds")
    roles = _roles(scopes, roles)
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    record = ApiKeyRecord(key_id, _hash(secret), scopes, site=site, sources=sources, label=label, kinds=kinds,
                          roles=roles)
    return f"stk_{key_id}_{secret}", record


def _roles(scopes: tuple[str, ...], roles: tuple[str, ...]) -> tuple[str, ...]:
    """A key's roles (``security-lead``, ``duty-manager``: who may approve which playbook step);
    only a key that works incidents (``analyst``, ``admin``) has any."""
    if not roles:
        return ()
    if not {"analyst", "admin"} & set(scopes):
        raise ValueError("only analyst and admin keys have roles (they approve playbook steps)")
    bad = [r for r in roles if not ROLE_NAME.fullmatch(r)]
    if bad:
        raise ValueError(f"role names are letters, digits, '-' and '_' (1-64): {', '.join(map(repr, bad))}")
    return tuple(sorted(set(roles)))


def _ingest_kinds(site: str | None, sources: tuple[str, ...], kinds: tuple[str, ...]) -> tuple[str, ...]:
    if site is None:
        raise ValueError("an ingest key must be bound to a site: --site SITE")
    if not sources:
        raise ValueError("an ingest key must name the sources it posts for: --source ID (repeat for more)")
    own = [s for s in sources if is_own_source(s)]
    if own:
        raise ValueError(f"sources beginning 'stockade:' are Stockade's own: {', '.join(own)}")
    for kind in kinds:
        if kind in OUTPUT_KINDS:
            raise ValueError(f"{kind} events are written by Stockade only; no key may send them")
        if kind not in INPUT_KINDS:
            raise ValueError(f"unknown kind {kind!r}; input kinds: {', '.join(sorted(INPUT_KINDS))}")
    return tuple(sorted(set(kinds) or DEVICE_KINDS))


def parse_token(token: str) -> tuple[str, str] | None:
    """(key id, secret) of a well-formed token, else None."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != "stk" or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def matches(record: ApiKeyRecord, secret: str) -> bool:
    return hmac.compare_digest(record.secret_hash, _hash(secret))


def revoked(record: ApiKeyRecord) -> ApiKeyRecord:
    return replace(record, revoked=True)
