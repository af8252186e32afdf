"""Policy packs: a directory of Cedar policies plus its schema, loaded once and swapped whole.

A pack is every ``*.cedar`` file of a directory (in name order) and its
``schema.cedarschema``. Loading parses the schema and the policies once into
``cedarpy`` handles, validates the policies against the schema, and reads each
policy's annotations:

- ``@id("...")``: required and unique; the id a decision reports;
- ``@reason("...")``: the sentence a decision gives when the policy fires;
- ``@step_up("pin" | "face" | "fingerprint" | "badge" | "mobile")``: on a
  forbid, means "adding this factor may lift it" (the answer is ``step_up``).

    >>> pack = load_pack(DEFAULT_POLICY_DIR)
    >>> pack.hash[:7], "role-zone" in pack.ids
    ('sha256:', True)

:class:`PolicyStore` holds the pack in force. ``reload()`` loads and validates
the directory again and swaps the reference in one assignment, so a decision
sees either the old pack or the new one, never a mix; on any error the old pack
stays in force and the error is raised.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

import cedarpy

from stockade.access.errors import PolicyError
from stockade.events.model import Factor

DEFAULT_POLICY_DIR = Path(__file__).resolve().parent / "policies"
SCHEMA_FILE = "schema.cedarschema"
STEP_UP_FACTORS: frozenset[str] = frozenset(get_args(Factor))


@dataclass(frozen=True, slots=True)
class PolicyInfo:
    """What a decision needs to know about one policy."""

    id: str
    effect: str
    reason: str
    file: str
    step_up: Factor | None = None


@dataclass(frozen=True, slots=True)
class PolicyPack:
    """A loaded, validated pack: parsed handles plus what each policy means."""

    directory: Path
    hash: str
    schema: Any  # cedarpy.Schema
    schema_text: str
    policy_set: Any  # cedarpy.PolicySet
    by_cedar_id: Mapping[str, PolicyInfo]  # Cedar's positional id (policy0, ...) -> info
    files: tuple[str, ...] = field(default=())

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.by_cedar_id.values())


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as e:
        raise PolicyError(str(path), f"cannot read: {e.strerror}") from e


def pack_hash(schema_text: str, files: list[tuple[str, str]]) -> str:
    """SHA-256 over the schema and each policy file's name and text, in name order."""
    h = hashlib.sha256()
    for name, text in [(SCHEMA_FILE, schema_text), *files]:
        for part in (name, text):
            data = part.encode("utf-8")
            h.update(len(data).to_bytes(8, "big"))
            h.update(data)
    return "sha256:" + h.hexdigest()


def _file_policies(text: str, source: str) -> list[PolicyInfo]:
    """Parse one file alone, to name the file in any error and check its annotations."""
    try:
        pst = cedarpy.PolicySet.from_str(text).to_pst()
    except ValueError as e:
        raise PolicyError(source, f"does not parse: {e}") from e
    if pst.templates:
        raise PolicyError(source, "templates (?principal / ?resource) are not supported in a pack")
    return [_info(policy, source) for policy in pst.static_policies.values()]


def _info(policy: Any, source: str) -> PolicyInfo:
    notes = dict(policy.annotations)
    pid = notes.get("id")
    if not pid:
        raise PolicyError(source, f"a {policy.effect} policy has no @id(\"...\") annotation")
    step_up = notes.get("step_up")
    if step_up is not None:
        if policy.effect != "forbid":
            raise PolicyError(source, f"{pid}: @step_up only makes sense on a forbid")
        if step_up not in STEP_UP_FACTORS:
            raise PolicyError(source, f"{pid}: @step_up({step_up!r}) is not one of "
                                      f"{', '.join(sorted(STEP_UP_FACTORS))}")
    return PolicyInfo(pid, policy.effect, notes.get("reason") or pid, source, step_up)


def load_pack(directory: str | Path) -> PolicyPack:
    """Load, parse and validate a policy directory; raise :class:`PolicyError` naming the problem."""
    d = Path(directory)
    if not d.is_dir():
        raise PolicyError(str(d), "is not a directory of *.cedar files")
    schema_path = d / SCHEMA_FILE
    if not schema_path.exists():
        raise PolicyError(str(d), f"has no {SCHEMA_FILE}")
    schema_text = _read(schema_path)
    try:
        schema = cedarpy.Schema.from_str(schema_text)
    except ValueError as e:
        raise PolicyError(str(schema_path), f"schema does not parse: {e}") from e
    files = [(p.name, _read(p)) for p in sorted(d.glob("*.cedar"))]
    if not files:
        raise PolicyError(str(d), "holds no *.cedar policy files")
    by_id: dict[str, PolicyInfo] = {}
    for name, text in files:
        for info in _file_policies(text, str(d / name)):
            if info.id in by_id:
                raise PolicyError(info.file, f"@id({info.id!r}) is also used in {by_id[info.id].file}")
            by_id[info.id] = info
    combined = "\n".join(text for _, text in files)
    result = cedarpy.validate_policies(combined, schema)
    if not result.validation_passed:
        problems = []
        for err in result.errors:
            pid = result.id_annotations_by_policy_id.get(err.policy_id)
            found = by_id.get(pid) if pid else None
            where = f"{Path(found.file).name} {found.id}" if found else "policies"
            problems.append(f"{where}: {err.error}")
        raise PolicyError(str(d), "do not validate against the schema:\n  " + "\n  ".join(problems))
    try:
        policy_set = cedarpy.PolicySet.from_str(combined)
        whole = policy_set.to_pst().static_policies
    except ValueError as e:  # each file parsed alone, so this is not expected
        raise PolicyError(str(d), f"policies do not parse together: {e}") from e
    # Cedar numbers policies by position (policy0, ...); decisions report those, so map them here.
    infos = {cedar_id: by_id[p.annotations["id"]] for cedar_id, p in whole.items()}
    return PolicyPack(
        directory=d, hash=pack_hash(schema_text, files), schema=schema, schema_text=schema_text,
        policy_set=policy_set, by_cedar_id=infos, files=tuple(n for n, _ in files),
    )


def _fingerprint(directory: Path) -> tuple[tuple[str, int, int], ...]:
    """Cheap change detection: names, sizes and modification times of the pack's files."""
    out = []
    for p in sorted([*directory.glob("*.cedar"), directory / SCHEMA_FILE]):
        try:
            st = p.stat()
        except OSError:
            continue
        out.append((p.name, st.st_size, st.st_mtime_ns))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Reload:
    """What a reload did: ``changed`` is False when the files were the same."""

    changed: bool
    old_hash: str
    new_hash: str


class PolicyStore:
    """The pack in force, swapped atomically on reload; a failed reload keeps the old pack.

        >>> store = PolicyStore(DEFAULT_POLICY_DIR)
        >>> store.reload_if_changed().changed
        False
    """

    def __init__(self, directory: str | Path = DEFAULT_POLICY_DIR) -> None:
        self.directory = Path(directory)
        self._lock = threading.Lock()  # one reload at a time; readers never wait
        self._fingerprint = _fingerprint(self.directory)
        self._pack = load_pack(self.directory)

    @property
    def current(self) -> PolicyPack:
        return self._pack

    def reload(self) -> Reload:
        """Load the directory again; swap only when it validates, else raise PolicyError."""
        with self._lock:
            fingerprint = _fingerprint(self.directory)
            new = load_pack(self.directory)
            old = self._pack
            self._pack = new  # a single reference assignment: the swap is atomic
            self._fingerprint = fingerprint
            return Reload(new.hash != old.hash, old.hash, new.hash)

    def reload_if_changed(self) -> Reload:
        """Reload when the files' names, sizes or times changed; call it periodically."""
        if _fingerprint(self.directory) == self._fingerprint:
            h = self._pack.hash
            return Reload(False, h, h)
        return self.reload()
