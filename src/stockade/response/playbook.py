"""Playbooks as YAML files: a trigger, tasks and steps; validated at load, errors naming file, line, field.

.. code-block:: yaml

    playbook: blind-and-grab
    trigger: {any_of: [{pattern: blind_and_grab}, {severity_at_least: critical, zone_kind: [dock, high_value]}]}
    escalate_to: duty-manager          # notified when a step fails
    tasks: [{id: police-report, title: File a police report, mandatory: true}]
    steps:
      - {id: approve-lock, do: approve, role: [security-lead], within: 2m, on_timeout: proceed}
      - {id: lock, do: lockdown, zones: incident, level: lockdown, depends_on: [approve-lock]}

A file is refused whole (unknown step kind or field, a ``depends_on`` naming a
step that does not exist, a cycle, a duplicate id); :class:`PlaybookSet` keeps
the set in force when a reload finds a bad file.

    >>> pb = load_playbook("src/stockade/response/playbooks/blind-and-grab.yaml")   # doctest: +SKIP
    >>> [s.id for s in pb.steps]                                                     # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, PrivateAttr, ValidationError

from stockade.response.conditions import Condition, Model
from stockade.response.errors import PlaybookError
from stockade.response.steps import Step
from stockade.response.yamlpos import line_of, load_with_lines

DEFAULT_DIR = Path(__file__).resolve().parent / "playbooks"


class TaskSpec(Model):
    id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")
    title: str = Field(min_length=1, max_length=500)
    mandatory: bool = False


class Playbook(Model):
    playbook: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="the playbook's name")
    description: str = ""
    trigger: Condition = Field(description="when an incident starts this playbook")
    escalate_to: str | None = Field(None, description="a notifier destination told when a step fails")
    tasks: tuple[TaskSpec, ...] = ()
    steps: tuple[Step, ...] = Field(min_length=1)

    _by_id: dict[str, Step] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        self._by_id = {s.id: s for s in self.steps}  # the planner asks at every evaluation

    def step(self, step_id: str) -> Step:
        return self._by_id[step_id]


def parse_playbook(text: str, file: str) -> Playbook:
    try:
        data, lines = load_with_lines(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise PlaybookError(file, mark.line + 1 if mark else None, "(file)", f"not valid YAML: {e}") from e
    try:
        playbook = Playbook.model_validate(data)
    except ValidationError as e:
        # an unknown field is usually the misspelling of the missing one: name it first
        first = sorted(e.errors(), key=lambda err: err["type"] != "extra_forbidden")[0]
        loc = _data_path(first["loc"])
        if first["type"] in ("union_tag_invalid", "union_tag_not_found"):
            loc = (*loc, "do")
        raise PlaybookError(file, line_of(lines, loc), _field(loc),
                            first["msg"].removeprefix("Value error, ")) from e
    _check_graph(playbook, file, lines)
    return playbook


def _data_path(loc: Sequence[str | int]) -> tuple[str | int, ...]:
    """pydantic's location without the union tags it inserts (``steps.0.lockdown.zones``)."""
    out: list[str | int] = []
    for i, part in enumerate(loc):
        if i > 0 and isinstance(loc[i - 1], int) and part in _TAGS:
            continue
        out.append(part)
    return tuple(out)


_TAGS = frozenset({"lockdown", "hold_flows", "capture_evidence", "notify", "assign", "approve", "escalate_after",
                   "ThenNotify", "ThenAssign"})


def _field(loc: Sequence[str | int]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _check_graph(pb: Playbook, file: str, lines: dict[tuple[str | int, ...], int]) -> None:
    ids: dict[str, int] = {}
    for i, step in enumerate(pb.steps):
        if step.id in ids:
            raise PlaybookError(file, line_of(lines, ("steps", i, "id")), f"steps[{i}].id",
                                f"duplicate step id {step.id!r} (also steps[{ids[step.id]}])")
        ids[step.id] = i
    for i, step in enumerate(pb.steps):
        for j, dep in enumerate(step.depends_on):
            if dep not in ids:
                raise PlaybookError(file, line_of(lines, ("steps", i, "depends_on", j)), f"steps[{i}].depends_on",
                                    f"step {step.id!r} depends on {dep!r}, which is not a step of this playbook")
    # a cycle: depth-first search, reporting the first step found on one
    state: dict[str, int] = {}

    def visit(sid: str, path: list[str]) -> None:
        state[sid] = 1
        for dep in pb.step(sid).depends_on:
            if state.get(dep) == 1:
                cycle = [*path[path.index(dep):], dep] if dep in path else [sid, dep]
                i = ids[sid]
                raise PlaybookError(file, line_of(lines, ("steps", i, "depends_on")), f"steps[{i}].depends_on",
                                    f"dependency cycle: {' -> '.join(cycle)}")
            if dep not in state:
                visit(dep, [*path, dep])
        state[sid] = 2

    for step in pb.steps:
        if step.id not in state:
            visit(step.id, [step.id])


def load_playbook(path: str | Path) -> Playbook:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise PlaybookError(str(p), None, "(file)", f"cannot read: {e.strerror}") from e
    return parse_playbook(text, str(p))


def load_dir(directory: str | Path) -> list[Playbook]:
    """Every ``*.yaml`` playbook in ``directory`` (not ``cases*.yaml``), sorted by file name."""
    d = Path(directory)
    files = sorted(f for f in d.glob("*.yaml") if not f.name.startswith("cases"))
    playbooks = [load_playbook(f) for f in files]
    seen: dict[str, str] = {}
    for f, pb in zip(files, playbooks, strict=True):
        if pb.playbook in seen:
            raise PlaybookError(str(f), 1, "playbook", f"name {pb.playbook!r} is also used by {seen[pb.playbook]}")
        seen[pb.playbook] = str(f)
    return playbooks


class PlaybookSet:
    """The playbooks in force; a reload that finds a bad file keeps the previous set and says why."""

    def __init__(self, directory: str | Path = DEFAULT_DIR) -> None:
        self.directory = Path(directory)
        self.playbooks: tuple[Playbook, ...] = tuple(load_dir(self.directory))
        self._stamp = self._files_stamp()
        self.last_error: PlaybookError | None = None

    def _files_stamp(self) -> tuple[tuple[str, int, int], ...]:
        return tuple((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in sorted(self.directory.glob("*.yaml")))

    def reload_if_changed(self) -> PlaybookError | None:
        stamp = self._files_stamp()
        if stamp == self._stamp:
            return self.last_error
        self._stamp = stamp
        try:
            self.playbooks = tuple(load_dir(self.directory))
            self.last_error = None
        except PlaybookError as e:
            self.last_error = e
        return self.last_error
