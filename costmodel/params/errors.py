"""Errors raised when inputs are wrong.

Every problem is reported as one line: ``file:line: parameter.path: what is wrong``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file."""

    file: str
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        message = " ".join(str(self.message).split())  # always one line
        where = f"{self.file}:{self.line}" if self.line else self.file
        if not where:  # a request, not a file: name the parameter or option alone
            return f"{self.path}: {message}" if self.path else message
        return f"{where}: {self.path or '<file>'}: {message}"


class CostModelError(Exception):
    """Base class for errors the library raises on purpose."""


class ParameterError(CostModelError, ValueError):
    """A parameter or scenario file (or a request for a parameter) is invalid.

    ``problems`` holds every problem found; ``str()`` gives one line per problem.
    """

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem(file="", path="", message=problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class UnknownParameterError(ParameterError, KeyError):
    """A parameter path that no parameter file defines."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return "\n".join(str(p) for p in self.problems)


class OutputError(CostModelError, OSError):
    """A file the caller asked for cannot or may not be written."""


class ArgumentTypeError(CostModelError, TypeError):
    """A public function was given an argument of the wrong kind (a list for a mapping,
    a number for a path ...): one line naming the function, the argument and the kind."""


#: What each kind of argument :func:`accepts` checks must be, as a reader is told.
_KINDS = {
    "mapping": "a mapping (e.g. a dict, or the parameters from costmodel.load())",
    "path": "a file or folder path (str or pathlib.Path)",
    "paths": "a list of file paths (str or pathlib.Path)",
    "name": "a name (str)",
    "names": "a list of names (str) or paths",
    "scenario": "a scenario's name or path, or a Scenario",
    "mapping_or_none": "a mapping (e.g. the parameters from costmodel.load()) or None",
}


def _fits(kind: str, value: Any) -> bool:
    import os
    from collections.abc import Mapping

    if kind == "mapping":
        return isinstance(value, Mapping)
    if kind == "mapping_or_none":
        return value is None or isinstance(value, Mapping)
    if value is None:  # every other kind is optional where the function allows it
        return True
    if kind == "path":
        return isinstance(value, (str, os.PathLike))
    if kind == "name":
        return isinstance(value, str)
    if kind in ("paths", "names"):
        each = (str, os.PathLike)
        return isinstance(value, (list, tuple)) and all(isinstance(v, each) for v in value)
    if kind == "scenario":
        from .scenarios import Scenario

        return isinstance(value, (str, os.PathLike, Scenario))
    raise AssertionError(kind)


def accepts(**kinds: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Check a public function's arguments by kind (see ``_KINDS``) before it runs.

    A wrong kind raises :class:`ArgumentTypeError`, one line, instead of an
    ``AttributeError`` or ``TypeError`` from deep inside with a traceback. Arguments
    not named, or not given, are left to the function.
    """

    def wrap(func: Callable[P, R]) -> Callable[P, R]:
        import functools
        import inspect

        signature = inspect.signature(func)
        name = func.__qualname__

        @functools.wraps(func)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                given = signature.bind_partial(*args, **kwargs).arguments
            except TypeError:
                return func(*args, **kwargs)  # Python's own message for a wrong call
            for arg, kind in kinds.items():
                if arg in given and not _fits(kind, given[arg]):
                    raise ArgumentTypeError(
                        f"{name}: {arg} must be {_KINDS[kind]}, got {type(given[arg]).__name__}"
                    )
            return func(*args, **kwargs)

        return run

    return wrap
