"""YAML with the line of every value, so an error can name the line it is about.

    >>> data, lines = load_with_lines("a:\\n  b: [1, 2]\\n")
    >>> data, lines[("a", "b")], lines[("a", "b", 1)]
    ({'a': {'b': [1, 2]}}, 2, 2)
"""

from __future__ import annotations

from collections.abc import Sequence

import yaml

from stockade.site.yamlfile import SafeLoader, safe_load

Path = tuple[str | int, ...]


def load_with_lines(text: str) -> tuple[object, dict[Path, int]]:
    """The document (safe types only) and a map from each value's path to its 1-based line."""
    node = yaml.compose(text, Loader=SafeLoader)
    lines: dict[Path, int] = {}
    if node is None:
        return None, lines
    _walk(node, (), lines)
    return safe_load(text), lines


def _walk(node: yaml.Node, path: Path, lines: dict[Path, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                _walk(value, (*path, str(key.value)), lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*path, i), lines)


def line_of(lines: dict[Path, int], path: Sequence[str | int]) -> int | None:
    """The line of ``path``, or of its nearest ancestor that has one."""
    p = tuple(path)
    while p:
        if p in lines:
            return lines[p]
        p = p[:-1]
    return lines.get(())
