from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from stockade.access.errors import PolicyError
from stockade.access.pack import DEFAULT_POLICY_DIR, PolicyPack, PolicyStore, load_pack, pack_hash


@pytest.fixture
def pack_dir(tmp_path: Path) -> Path:
    d = tmp_path / "policies"
    shutil.copytree(DEFAULT_POLICY_DIR, d)
    return d


def test_default_pack_loads_with_ids_reasons_and_step_ups(pack: PolicyPack) -> None:
    infos = {p.id: p for p in pack.by_cedar_id.values()}
    assert len(infos) == len(pack.by_cedar_id) == 20
    assert infos["high-value-biometric"].step_up == "fingerprint"
    assert infos["risk-step-up"].step_up == "pin"
    assert infos["risk-deny"].step_up is None
    assert infos["role-zone"].effect == "permit"
    assert pack.hash.startswith("sha256:")
    assert len(pack.hash) == 71


def test_hash_depends_on_names_and_texts_only(pack_dir: Path, pack: PolicyPack) -> None:
    assert load_pack(pack_dir).hash == pack.hash
    assert pack_hash("s", [("a", "bc")]) != pack_hash("s", [("ab", "c")])


def test_cases_yaml_is_not_part_of_the_hash(pack_dir: Path, pack: PolicyPack) -> None:
    (pack_dir / "cases.yaml").write_text("cases: []\n")
    assert load_pack(pack_dir).hash == pack.hash


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('forbid (principal, action, resource) when { context.risk > 1 };', "no @id"),
        ('@id("x") forbid (principal, action, resource) when { context.risk > };', "does not parse"),
        ('@id("x") @step_up("pin") permit (principal, action, resource);', "only makes sense on a forbid"),
        ('@id("x") @step_up("retina") forbid (principal, action, resource);', "is not one of"),
        ('@id("role-zone") forbid (principal, action, resource);', "also used in"),
        ('@id("x") forbid (principal, action, resource) when { context.riks > 1 };', "99-extra.cedar x"),
    ],
)
def test_bad_policies_are_refused_naming_file_and_problem(pack_dir: Path, text: str, problem: str) -> None:
    (pack_dir / "99-extra.cedar").write_text(text)
    with pytest.raises(PolicyError, match=problem) as info:
        load_pack(pack_dir)
    assert "99-extra.cedar" in str(info.value) or "policies" in str(info.value)


def test_missing_schema_or_policies_are_refused(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="not a directory"):
        load_pack(tmp_path / "nope")
    with pytest.raises(PolicyError, match="schema.cedarschema"):
        load_pack(tmp_path)
    (tmp_path / "schema.cedarschema").write_text((DEFAULT_POLICY_DIR / "schema.cedarschema").read_text())
    with pytest.raises(PolicyError, match="no \\*.cedar"):
        load_pack(tmp_path)
    (tmp_path / "schema.cedarschema").write_text("entity {")
    (tmp_path / "a.cedar").write_text('@id("a") permit (principal, action, resource);')
    with pytest.raises(PolicyError, match="schema does not parse"):
        load_pack(tmp_path)


def _touch(path: Path, text: str) -> None:
    path.write_text(text)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # a visible change, whatever the fs


def test_store_swaps_on_change_and_keeps_the_old_pack_on_failure(pack_dir: Path) -> None:
    store = PolicyStore(pack_dir)
    old = store.current
    assert not store.reload_if_changed().changed
    _touch(pack_dir / "99-extra.cedar", '@id("broken") forbid (principal, action, resource) when { nope };')
    with pytest.raises(PolicyError):
        store.reload_if_changed()
    assert store.current is old
    _touch(pack_dir / "99-extra.cedar",
           '@id("night-lock") @reason("closed at night") forbid (principal, action, resource) '
           'when { context.threat == "lockdown" };')
    result = store.reload_if_changed()
    assert result.changed
    assert result.old_hash == old.hash
    assert result.new_hash == store.current.hash
    assert "night-lock" in store.current.ids
    assert not store.reload_if_changed().changed
