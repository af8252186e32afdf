"""The project's shared test vectors (``shared/vectors``), found wherever the checkout is.

``shared/`` stands beside the repository (``<repo>/../shared``): beside ``/work/main``,
two levels up from a worktree ``/work/wt/<name>``, beside CI's fresh clone. It is
named by ``$STOCKADE_SHARED``, else searched upward from the repository root, else taken
from ``/work/shared``, where the development and CI machines keep it (a clone made
anywhere else, ``/tmp/x`` say, still finds it). When it is missing, a test that
needs it fails, saying where it looked: a vector test must never pass by running nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MACHINE_SHARED = Path("/work/shared")


def shared_dir() -> Path | None:
    """``$STOCKADE_SHARED``, else the nearest ``shared/`` with a ``vectors/`` folder above the repository."""
    if named := os.environ.get("STOCKADE_SHARED"):
        return Path(named)
    for parent in REPO.parents:
        if (parent / "shared" / "vectors").is_dir():
            return parent / "shared"
    if MACHINE_SHARED.joinpath("vectors").is_dir():
        return MACHINE_SHARED
    return None


def vectors(*parts: str) -> Path:
    """``shared/vectors/<parts>``; fails the run when it is not there (never a skip)."""
    shared = shared_dir()
    path = (shared or REPO.parent / "shared") / "vectors" / Path(*parts)
    if path.exists():
        return path
    why = (f"test vectors {path} are missing: set STOCKADE_SHARED to the shared/ folder, or put it beside "
           f"the repository ({REPO.parent / 'shared'})")
    raise FileNotFoundError(why)
