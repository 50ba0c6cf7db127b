"""Errors raised when inputs are wrong.

Every problem is reported as one line: ``file:line: parameter.path: what is wrong``.
"""

from __future__ import annotations

from dataclasses import dataclass


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
