"""Strict YAML reading: safe loading, duplicate keys rejected, line numbers kept.

``read_yaml`` returns plain Python data plus a map from each key path to the line
it was written on, so that validation errors can point at the line to fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import ParameterError, Problem

Lines = dict[tuple, int]


def _build(node: yaml.Node, loader: yaml.SafeLoader, path: tuple, lines: Lines, file: str) -> Any:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict = {}
        for key_node, _ in node.value:  # the mapping's own keys, before any merge (<<)
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = loader.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                raise ParameterError(
                    Problem(
                        file, _dotted(path), f"key {key!r} must be text or a whole number", line
                    )
                )
            if key in seen:
                raise ParameterError(
                    Problem(
                        file,
                        _dotted((*path, key)),
                        f"duplicate key {key!r} (first given on line {seen[key]})",
                        line,
                    )
                )
            seen[key] = line
        loader.flatten_mapping(node)
        out: dict = {}
        for key_node, value_node in node.value:  # merged keys first; the mapping's own win
            key = loader.construct_object(key_node, deep=True)
            where = (*path, key)
            lines[where] = key_node.start_mark.line + 1
            out[key] = _build(value_node, loader, where, lines, file)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(v, loader, (*path, i), lines, file) for i, v in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def _dotted(path: tuple) -> str:
    return ".".join(str(p) for p in path)


def read_yaml(file: str | Path, text: str | None = None) -> tuple[Any, Lines]:
    """Read one YAML document strictly.

    Returns ``(data, lines)``. Raises :class:`ParameterError` naming the file and
    line for syntax errors, duplicate keys, non-text keys and empty files.
    """
    name = str(file)
    if text is None:
        try:
            text = Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ParameterError(Problem(name, "", f"cannot read file: {exc}")) from exc
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise ParameterError(Problem(name, "", "file is empty"))
        lines: Lines = {}
        data = _build(node, loader, (), lines, name)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        msg = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
        raise ParameterError(Problem(name, "", f"invalid YAML: {msg}", line)) from exc
    except yaml.YAMLError as exc:
        raise ParameterError(Problem(name, "", f"invalid YAML: {exc}")) from exc
    finally:
        loader.dispose()
    return data, lines
