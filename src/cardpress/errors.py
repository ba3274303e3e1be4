"""Errors and the one format every problem with the input is reported in.

Every problem names the file, the line (when known), the field, what is wrong and how to fix it:
``runs/v1.json:12: model.version: missing — add the model version as a string``.
Validation collects every problem before stopping, so a user fixes them all in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import click


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, located as precisely as the format allows."""

    file: str
    line: int | None
    field: str
    problem: str
    fix: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.problem} — {self.fix}"


class CardpressError(click.ClickException):
    """Base of cardpress's own errors; the CLI prints the message and exits with ``exit_code``."""

    exit_code = 1


class UsageError(CardpressError):
    """The command was asked for something that cannot be done as asked (exit 2)."""

    exit_code = 2


class RecordsError(CardpressError):
    """The records folder has one or more problems; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems), key=_problem_order)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [str(p) for p in self.problems]
        lines.append(f"{count} {noun} found; nothing was written.")
        super().__init__("\n".join(lines))


class BuildError(CardpressError):
    """The site could not be written; the previous site, if any, is unchanged."""


class ArgumentError(CardpressError, ValueError):
    """A bad argument to the logging API (``cardpress.run``, ``cardpress.log_run``).

    The message names the argument, what is wrong and how to fix it. It is also a
    :class:`ValueError`, so code that catches that keeps working.
    """


class RecordExistsError(CardpressError):
    """A different run record of the same model version exists and ``overwrite`` was not set."""


def _problem_order(problem: Problem) -> tuple[str, int, str, str]:
    return (problem.file, problem.line or 0, problem.field, problem.problem)
