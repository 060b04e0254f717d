"""The production-function specification: column roles and functional form (frozen).

Roles follow R/Stata ``prodest`` (free ``fX``, state ``sX``, proxy ``pX``, control ``cX``) plus
``flexible`` for gross output: an input that enters the production function and is chosen
freely each period (materials). Whether that input is also the proxy is a separate choice:
``proxy="m", flexible="m"`` is the usual gross-output LP/ACF; ``flexible="m"`` with another
proxy (say electricity) is allowed too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations_with_replacement
from typing import Any

from tfp._literals import FORMS, validate_literal
from tfp.exceptions import SpecificationError

__all__ = ["ProductionSpec", "as_names", "elasticity_matrix", "term_matrix"]


def as_names(value: str | Sequence[str] | None, *, role: str) -> tuple[str, ...]:
    """Normalise a role given as one column name or a sequence of names to a tuple."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    try:
        names = tuple(value)
    except TypeError:
        raise SpecificationError(
            f"{role} must be a column name or a list of column names, got {type(value).__name__}",
            fix=f"pass {role}='col' or {role}=['col1', 'col2']",
        ) from None
    for n in names:
        if not isinstance(n, str):
            raise SpecificationError(
                f"{role} must hold column names (str), got {n!r}",
                fix=f"pass the column names of the {role} role as strings",
            )
    if len(set(names)) != len(names):
        raise SpecificationError(
            f"{role} names a column twice: {names}", fix="list each column once"
        )
    return names


@dataclass(frozen=True)
class ProductionSpec:
    """Which column plays which role, and the functional form.

    Attributes
    ----------
    output : str
        Log output (value added, or gross output when ``flexible`` is given).
    free : tuple of str
        Freely chosen inputs (labour), in logs.
    state : tuple of str
        State inputs (capital), in logs.
    flexible : tuple of str
        Gross output only: flexible intermediate inputs that enter the production function.
    proxy : tuple of str
        Proxy variables for productivity (investment for OP, materials for LP/ACF).
    control : tuple of str
        Extra regressors (e.g. year dummies); they enter where the method's literature puts them.
    exit : str or None
        OP attrition indicator (1 in the firm's last period).
    share : str or None
        GNR: log revenue share of the flexible input.
    id, time : str
        Firm and period columns.
    form : {'cobb-douglas', 'translog'}
        Functional form of the production function.
    levels : tuple of str
        Columns of the output, input and proxy roles given in levels (soles, workers): tfp
        takes their logs, and rows where one is zero or negative are left out (reason
        ``nonpositive``).
    """

    output: str
    free: tuple[str, ...]
    state: tuple[str, ...]
    id: str
    time: str
    flexible: tuple[str, ...] = ()
    proxy: tuple[str, ...] = ()
    control: tuple[str, ...] = ()
    exit: str | None = None
    share: str | None = None
    form: str = "cobb-douglas"
    levels: tuple[str, ...] = ()
    _terms: tuple[str, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        validate_literal(self.form, FORMS, name="form")
        if not isinstance(self.output, str):
            raise SpecificationError(
                "output must be one column name", fix="pass output='y'"
            )
        for name in ("id", "time"):
            if not isinstance(getattr(self, name), str):
                raise SpecificationError(
                    f"{name} must be one column name", fix=f"pass {name}='column'"
                )
        roles: dict[str, tuple[str, ...]] = {
            "output": (self.output,),
            "free": self.free,
            "state": self.state,
            "flexible": self.flexible,
            "proxy": self.proxy,
            "control": self.control,
            "exit": (self.exit,) if self.exit else (),
            "share": (self.share,) if self.share else (),
            "id": (self.id,),
            "time": (self.time,),
        }
        seen: dict[str, str] = {}
        for role, cols in roles.items():
            for c in cols:
                if c in seen:
                    pair = {seen[c], role}
                    if pair == {"proxy", "flexible"}:
                        continue  # gross output with the flexible input as its own proxy
                    raise SpecificationError(
                        f"is named in two roles, {seen[c]!r} and {role!r}",
                        column=c,
                        fix="give each column one role (only proxy and flexible may share one)",
                    )
                seen[c] = role
        if not self.free and not self.state and not self.flexible:
            raise SpecificationError(
                "no inputs given", fix="name at least one free or state input"
            )
        loggable = self.loggable()
        for c in self.levels:
            if c not in loggable:
                raise SpecificationError(
                    "is named in levels but is not an output, input or proxy column",
                    column=c,
                    fix=f"name only columns of {list(loggable)} in levels",
                )
        object.__setattr__(self, "_terms", _make_terms(self.inputs, self.form))

    # ---- derived names ------------------------------------------------------------------
    @property
    def inputs(self) -> tuple[str, ...]:
        """Production inputs in term order: free, state, flexible."""
        return (*self.free, *self.state, *self.flexible)

    @property
    def terms(self) -> tuple[str, ...]:
        """Names of the production-function terms (``l``, ``k``, ``l^2``, ``l:k`` …)."""
        return self._terms

    def loggable(self) -> tuple[str, ...]:
        """Columns that may be given in levels: the output, the inputs and the proxies."""
        return tuple(dict.fromkeys([self.output, *self.inputs, *self.proxy]))

    @property
    def gross_output(self) -> bool:
        """True when a flexible input enters the production function."""
        return bool(self.flexible)

    def columns(self) -> tuple[str, ...]:
        """Every numeric column the spec uses (excluding id and time), each once."""
        cols = [
            self.output,
            *self.free,
            *self.state,
            *self.flexible,
            *self.proxy,
            *self.control,
        ]
        if self.exit:
            cols.append(self.exit)
        if self.share:
            cols.append(self.share)
        return tuple(dict.fromkeys(cols))

    def roles(self) -> dict[str, Any]:
        """Keyword arguments that re-create this spec in :func:`tfp.estimate`."""
        return {
            "output": self.output,
            "free": list(self.free),
            "state": list(self.state),
            "flexible": list(self.flexible),
            "proxy": list(self.proxy) if len(self.proxy) != 1 else self.proxy[0],
            "control": list(self.control),
            "exit": self.exit,
            "share": self.share,
            "id": self.id,
            "time": self.time,
            "form": self.form,
            "levels": list(self.levels),
        }

    def __str__(self) -> str:
        lines = [
            f"ProductionSpec ({self.form}, {'gross output' if self.gross_output else 'value added'})",
            f"  output   : {self.output}",
            f"  free     : {', '.join(self.free) or '-'}",
            f"  state    : {', '.join(self.state) or '-'}",
        ]
        if self.flexible:
            lines.append(f"  flexible : {', '.join(self.flexible)}")
        lines.append(f"  proxy    : {', '.join(self.proxy) or '-'}")
        if self.control:
            lines.append(f"  control  : {', '.join(self.control)}")
        if self.exit:
            lines.append(f"  exit     : {self.exit}")
        if self.share:
            lines.append(f"  share    : {self.share}")
        if self.levels:
            lines.append(f"  levels   : {', '.join(self.levels)} (logs taken by tfp)")
        lines.append(f"  panel    : id={self.id}, time={self.time}")
        lines.append(f"  terms    : {', '.join(self.terms)}")
        return "\n".join(lines)


def _make_terms(inputs: tuple[str, ...], form: str) -> tuple[str, ...]:
    terms = list(inputs)
    if form == "translog":
        for a, b in combinations_with_replacement(inputs, 2):
            terms.append(f"{a}^2" if a == b else f"{a}:{b}")
    return tuple(terms)


def term_matrix(x: Any, inputs: tuple[str, ...], form: str) -> Any:
    """Columns of the production terms from the (nobs, n_inputs) matrix of log inputs ``x``.

    Cobb-Douglas: ``x`` itself. Translog: ``x`` then ``x_j²`` for squares and ``x_i·x_j`` for
    cross terms (as prodest), so that elasticities are ``β_j + 2 β_jj x_j + Σ_i β_ij x_i``.
    """
    import numpy as np

    x = np.asarray(x, dtype=np.float64)
    if form == "cobb-douglas":
        return np.ascontiguousarray(x)
    cols = [x[:, j] for j in range(x.shape[1])]
    n = len(inputs)
    for a, b in combinations_with_replacement(range(n), 2):
        cols.append(x[:, a] ** 2 if a == b else x[:, a] * x[:, b])
    return np.ascontiguousarray(np.column_stack(cols))


def elasticity_matrix(x: Any, beta: Any, inputs: tuple[str, ...], form: str) -> Any:
    """Per-observation output elasticities, (nobs, n_inputs), for ``term_matrix``'s scaling."""
    import numpy as np

    x = np.asarray(x, dtype=np.float64)
    beta = np.asarray(beta, dtype=np.float64)
    n = len(inputs)
    e = np.tile(beta[:n], (x.shape[0], 1))
    if form == "translog":
        k = n
        for a, b in combinations_with_replacement(range(n), 2):
            if a == b:
                e[:, a] += 2.0 * beta[k] * x[:, a]
            else:
                e[:, a] += beta[k] * x[:, b]
                e[:, b] += beta[k] * x[:, a]
            k += 1
    return e
