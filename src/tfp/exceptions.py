"""Exceptions and warnings raised by tfp.

Every error a user can trigger with bad input is a :class:`TFPError`. Messages name the
input (usually a column), the problem, and how to fix it; use :func:`format_message` to
build them so that they read the same everywhere.
"""

from __future__ import annotations

__all__ = [
    "BootstrapFailureWarning",
    "BoundaryWarning",
    "ConfigError",
    "ConvergenceError",
    "ConvergenceWarning",
    "DataError",
    "DomainError",
    "DroppedObservationsWarning",
    "IdentificationError",
    "MissingExtraError",
    "PanelStructureError",
    "RecordsError",
    "SpecificationError",
    "TFPError",
    "TFPWarning",
    "UnreliableEstimateWarning",
    "format_message",
]


def format_message(
    problem: str, *, column: str | None = None, fix: str | None = None
) -> str:
    """Compose an error message that names the column, the problem and the fix.

    The message reads ``column 'x': problem. Fix: ...``.
    """
    text = problem.rstrip(".")
    if column is not None:
        text = f"column {column!r}: {text}"
    text += "."
    if fix:
        text += f" Fix: {fix.rstrip('.')}."
    return text


class TFPError(Exception):
    """Base class of every error tfp raises on purpose.

    Attributes
    ----------
    column : str or None
        The input column the problem concerns, when there is one.
    fix : str or None
        What usually fixes the problem.
    """

    def __init__(
        self, problem: str, *, column: str | None = None, fix: str | None = None
    ) -> None:
        self.column = column
        self.problem = problem
        self.fix = fix
        super().__init__(format_message(problem, column=column, fix=fix))


class SpecificationError(TFPError, ValueError):
    """The request is inconsistent: unknown method, bad roles, options of another method.

    Occurs when a column is named in two roles, a required role is missing, an option value is
    outside its allowed set, or ``options`` belongs to another method. Fix the call as the
    message says; nothing about the data is wrong.
    """


class DataError(TFPError, ValueError):
    """A column's contents cannot be used: missing column, text in a numeric column, etc.

    The message names the column. Usually fixed by converting the column (``pd.to_numeric``)
    or by passing the right column name.
    """


class PanelStructureError(TFPError, ValueError):
    """The panel's keys are not a panel: duplicate (id, time) pairs or a non-integer time.

    Fix by aggregating duplicates or by choosing the right id/time columns.
    """


class IdentificationError(TFPError, ValueError):
    """The parameters cannot be identified from this sample.

    Too few observations or periods after lags, perfectly collinear inputs, or a proxy with
    no variation. Usually fixed by a longer panel, fewer polynomial terms or another proxy.
    """


class MissingExtraError(TFPError, ImportError):
    """A feature needs a package of an optional extra that is not installed.

    The core install (``pip install tfp``) estimates every method; the report, the survey
    readers, Dask and other data-frame libraries need their extra. The message names the
    extra: ``pip install "tfp[report]"`` (or ``ene``, ``dask``, ``dataframes``) fixes it.

    Attributes
    ----------
    extra : str
        The extra to install.
    """

    def __init__(self, problem: str, *, extra: str) -> None:
        self.extra = extra
        super().__init__(problem, fix=f'pip install "tfp[{extra}]"')


class ConvergenceError(TFPError, RuntimeError):
    """The optimizer did not converge and ``Optimizer(strict=True)`` was asked for."""


class DomainError(TFPError, ValueError):
    """A lookup in a sourced domain table (UIT, CIIU, ubigeo, deflators) is outside its range.

    The message gives the covered range. Pass a value inside it or supply your own table.
    """


class RecordsError(TFPError, ValueError):
    """A programme record file is malformed; the message names file, row and column."""

    def __init__(
        self,
        problem: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.file = file
        self.row = row
        where = []
        if file is not None:
            where.append(f"file {file!r}")
        if row is not None:
            where.append(f"row {row}")
        prefix = ", ".join(where)
        super().__init__(
            f"{prefix}: {problem}" if prefix else problem, column=column, fix=fix
        )


class ConfigError(TFPError, ValueError):
    """A config file of the application (TOML) cannot be used; the message names file, line, key.

    Occurs for a syntax error, an unknown table or key, a value of the wrong type or outside
    its allowed values, or a path that does not exist. Fix the file as the message says.
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str | None = None,
        line: int | None = None,
        key: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.file, self.line, self.key = file, line, key
        where = [f"file {file!r}"] if file is not None else []
        where += [f"line {line}"] if line is not None else []
        where += [f"key {key!r}"] if key is not None else []
        text = f"{', '.join(where)}: {problem}" if where else problem
        super().__init__(text, fix=fix)


class TFPWarning(UserWarning):
    """Base class of tfp's warnings."""


class DroppedObservationsWarning(TFPWarning):
    """Rows were left out of the estimation sample; the message gives counts by reason."""


class ConvergenceWarning(TFPWarning):
    """The optimizer stopped without meeting its tolerance, or starts disagreed."""


class UnreliableEstimateWarning(TFPWarning):
    """A diagnostic check failed: the estimate may not be trustworthy.

    Raised once per failed check of ``results.diagnostics`` (plausibility of the elasticities
    and returns to scale, identification strength, sample size, inputs that look like
    levels); the message names the input, the problem and the fix. The estimate is still
    returned. See ``docs/explanation/trust.md`` for each check, its formula and its threshold.
    Filter it like any warning, e.g. ``warnings.simplefilter("error",
    tfp.exceptions.UnreliableEstimateWarning)`` to stop on an untrustworthy estimate.
    """


class BoundaryWarning(UnreliableEstimateWarning):
    """The numerical search ended at its starting value (the ``at_start`` check).

    Usually the criterion is flat or undefined around the start; other starts fix it.
    """


class BootstrapFailureWarning(TFPWarning):
    """Some bootstrap replicates failed; they are counted on the results, never dropped silently."""
