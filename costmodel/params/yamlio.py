"""Strict, bounded YAML reading: safe loading, duplicate keys refused, line numbers kept.

``read_yaml`` returns plain Python data plus a map from each key path to the line
it was written on, so that validation errors can point at the line to fix. It reads
YAML's standard types only and within stated bounds, so a hostile or broken file is
one clear line, never a traceback, a hang or a memory blow-up:

* files larger than :data:`MAX_FILE_BYTES` are refused before they are read;
* text must be UTF-8 without control characters such as NUL;
* only YAML's standard tags (mapping, sequence, text, numbers, booleans, null,
  timestamps and merge keys) are accepted: ``!!python/...`` and any other tag is refused,
  whether on a value, a mapping or a list;
* nesting deeper than :data:`MAX_DEPTH` is refused, and so is a file whose anchors and
  aliases expand to more than :data:`MAX_VALUES` values (a "billion laughs" file) or
  refer to themselves;
* values YAML cannot build (an impossible date, a number too long to read) are refused
  with their line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import ParameterError, Problem

#: Largest parameter or scenario file read, in bytes (the shipped files are under 25 kB).
MAX_FILE_BYTES = 1_000_000
#: Deepest nesting of mappings and lists.
MAX_DEPTH = 40
#: Most values one file may expand to, aliases counted each time they are used.
MAX_VALUES = 200_000
#: The tags of YAML's core schema (what safe loading builds), and the merge key.
STANDARD_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}"
    for t in ("map", "seq", "str", "int", "float", "bool", "null", "timestamp", "merge")
)


class _Budget:
    """Counts values built, so alias expansion stays bounded."""

    def __init__(self) -> None:
        self.values = 0
        self.open: set[int] = set()  # nodes being built: a node met again is a loop


Lines = dict[tuple, int]


def _build(
    node: yaml.Node,
    loader: yaml.SafeLoader,
    path: tuple,
    lines: Lines,
    file: str,
    budget: _Budget | None = None,
) -> Any:
    budget = budget if budget is not None else _Budget()
    line = node.start_mark.line + 1
    lines.setdefault(path, line)

    def refuse(message: str) -> ParameterError:
        return ParameterError(Problem(file, _dotted(path), message, line))

    if node.tag not in STANDARD_TAGS:
        return_tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        raise refuse(f"tag {return_tag} is not allowed: use plain YAML values")
    budget.values += 1
    if budget.values > MAX_VALUES:
        raise refuse(
            f"the file expands to more than {MAX_VALUES:,} values "
            "(anchors and aliases used too often?)"
        )
    if len(path) > MAX_DEPTH:
        raise refuse(f"nested more than {MAX_DEPTH} levels deep")
    if id(node) in budget.open:
        raise refuse("an alias refers to the mapping or list that holds it")
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        budget.open.add(id(node))
        try:
            return _build_collection(node, loader, path, lines, file, budget)
        finally:
            budget.open.discard(id(node))
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, OverflowError) as exc:
        shown = str(node.value) if len(str(node.value)) <= 40 else f"{str(node.value)[:37]}..."
        reason = str(exc).split(";")[0].split(":")[0]
        raise refuse(f"cannot read the value {shown!r}: {reason}") from None


def _build_collection(
    node: yaml.Node,
    loader: yaml.SafeLoader,
    path: tuple,
    lines: Lines,
    file: str,
    budget: _Budget,
) -> Any:
    if isinstance(node, yaml.MappingNode):
        seen: dict = {}
        for key_node, _ in node.value:  # the mapping's own keys, before any merge (<<)
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = _build(key_node, loader, path, {}, file, budget)
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
            out[key] = _build(value_node, loader, where, lines, file, budget)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(v, loader, (*path, i), lines, file, budget) for i, v in enumerate(node.value)
        ]
    raise ParameterError(Problem(file, _dotted(path), "not a mapping or a list"))


def _dotted(path: tuple) -> str:
    return ".".join(str(p) for p in path)


def read_text(file: str | Path) -> str:
    """A file's text, refused in one line when it is too large, unreadable or not UTF-8."""
    name = str(file)
    try:
        size = Path(file).stat().st_size
        if size > MAX_FILE_BYTES:
            raise ParameterError(
                Problem(
                    name,
                    "",
                    f"file is {size:,} bytes; files above {MAX_FILE_BYTES:,} bytes are not read",
                )
            )
        raw = Path(file).read_bytes()
    except OSError as exc:
        raise ParameterError(
            Problem(name, "", f"cannot read file: {exc.strerror or exc}")
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParameterError(
            Problem(name, "", f"not UTF-8 text: byte {raw[exc.start]:#04x} at offset {exc.start}")
        ) from None
    return text


def _compose(text: str) -> tuple[Any, yaml.Node | None]:
    """A loader and the document's node tree: composed by libyaml where PyYAML has it
    (the same nodes, lines and values, several times quicker); a text it refuses is
    composed again by PyYAML's own loader, whose error is the one reported."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        loader = fast(text)
        try:
            return loader, loader.get_single_node()
        except yaml.YAMLError:
            loader.dispose()
    loader = yaml.SafeLoader(text)
    return loader, loader.get_single_node()


def read_yaml(file: str | Path, text: str | None = None) -> tuple[Any, Lines]:
    """Read one YAML document strictly and within the bounds above.

    Returns ``(data, lines)``. Raises :class:`ParameterError` naming the file and
    line for syntax errors, non-standard tags, duplicate keys, non-text keys, empty,
    oversized or unreadable files, and files that nest or expand beyond the bounds.
    """
    name = str(file)
    if text is None:
        text = read_text(file)
    elif len(text.encode("utf-8", "replace")) > MAX_FILE_BYTES:
        raise ParameterError(Problem(name, "", f"text above {MAX_FILE_BYTES:,} bytes is not read"))
    loader = None
    try:
        loader, node = _compose(text)
        if node is None:
            raise ParameterError(Problem(name, "", "file is empty"))
        lines: Lines = {}
        data = _build(node, loader, (), lines, name)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        msg = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
        raise ParameterError(Problem(name, "", f"invalid YAML: {msg}", line)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "position", None)
        where = f" (character {mark})" if mark is not None else ""
        reason = getattr(exc, "reason", None) or str(exc)
        raise ParameterError(Problem(name, "", f"invalid YAML{where}: {reason}")) from None
    except RecursionError:
        raise ParameterError(
            Problem(name, "", f"nested too deeply (more than {MAX_DEPTH} levels are refused)")
        ) from None
    finally:
        if loader is not None:
            loader.dispose()
    return data, lines
