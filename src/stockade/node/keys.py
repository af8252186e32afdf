"""API keys: ``stk_<id>_<secret>``; only a SHA-256 of the secret is stored.

The secret is 32 random bytes, so a fast hash is enough (there is nothing to
brute-force); comparison is constant-time.

    >>> token, record = new_key(("ingest",), site="dc-demo", sources=("ctl-1",))
    >>> token.startswith("stk_")
    True
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import replace

from stockade.store import ApiKeyRecord

SCOPES = ("ingest", "pep", "read", "analyst", "admin", "auditor")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_key(
    scopes: tuple[str, ...], *, site: str | None = None, sources: tuple[str, ...] = (), label: str = ""
) -> tuple[str, ApiKeyRecord]:
    """A fresh key: the token to hand out once, and the record to store."""
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown:
        raise ValueError(f"unknown scope(s) {unknown}; known: {', '.join(SCOPES)}")
    if "ingest" in scopes and site is None:
        raise ValueError("an ingest key must be bound to a site (and its sources)")
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    record = ApiKeyRecord(key_id, _hash(secret), scopes, site=site, sources=sources, label=label)
    return f"stk_{key_id}_{secret}", record


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
