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

from tfp._checks import check_names
from tfp._literals import FORMS, validate_literal
from tfp.exceptions import SpecificationError

__all__ = [
    "ProductionSpec",
    "as_names",
    "elasticity_matrix",
    "term_inputs",
    "term_matrix",
    "term_names",
]


def as_names(value: str | Sequence[str] | None, *, role: str) -> tuple[str, ...]:
    """Normalise a role given as one column name or a sequence of names to a tuple."""
    names = () if value is None else check_names(value, name=role)
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
        seen: dict[str, str] = {}
        for role, cols in self._role_columns().items():
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
        object.__setattr__(self, "_terms", term_names(self.inputs, self.form))

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

    def require(self, method: str, *roles: str) -> None:
        """Raise SpecificationError unless each of ``roles`` (``"proxy"``, ``"state"``) names
        a column: methods check the roles they need with this."""
        for role in roles:
            if not getattr(self, role):
                raise SpecificationError(
                    f"method {method!r} needs a {role} role and none was given",
                    fix=_ROLE_FIX.get(role, f"pass {role}='column'"),
                )

    def _role_columns(self) -> dict[str, tuple[str, ...]]:
        """Role -> the columns it names (empty when not given), id and time last."""
        return {
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

    def columns(self) -> tuple[str, ...]:
        """Every numeric column the spec uses (excluding id and time), each once."""
        roles = list(self._role_columns().values())[:-2]
        return tuple(dict.fromkeys(c for cols in roles for c in cols))

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

    def role_rows(self) -> tuple[tuple[str, str], ...]:
        """``(role, columns)`` of every role given, then the panel keys and the terms."""
        roles = self._role_columns()
        keys = (f"id={roles.pop('id')[0]}", f"time={roles.pop('time')[0]}")
        levels = (
            (f"{', '.join(self.levels)} (logs taken by tfp)",) if self.levels else ()
        )
        roles.update(levels=levels, panel=keys, terms=self.terms)
        return tuple((k, ", ".join(v)) for k, v in roles.items() if v)

    def __str__(self) -> str:
        kind = "gross output" if self.gross_output else "value added"
        rows = (f"  {k:<8} : {v}" for k, v in self.role_rows())
        return "\n".join([f"ProductionSpec ({self.form}, {kind})", *rows])


_ROLE_FIX = {
    "proxy": "pass proxy='inv' (investment, OP) or proxy='m' (an intermediate input)",
    "state": "pass state='k' (capital)",
}


def term_inputs(n_inputs: int, form: str) -> tuple[tuple[int, ...], ...]:
    """For each production term, the positions of the inputs it multiplies: each input,
    then (translog) each pair with repetition, in :func:`term_names` order."""
    single = tuple((j,) for j in range(n_inputs))
    if form != "translog":
        return single
    return single + tuple(combinations_with_replacement(range(n_inputs), 2))


def term_names(inputs: tuple[str, ...], form: str) -> tuple[str, ...]:
    """Names of the production terms: ``l``, ``k``, ``l^2``, ``l:k`` …"""
    return tuple(
        inputs[t[0]] if len(t) == 1 else f"{inputs[t[0]]}^2" if t[0] == t[1]
        else f"{inputs[t[0]]}:{inputs[t[1]]}"
        for t in term_inputs(len(inputs), form)
    )  # fmt: skip


def term_matrix(x: Any, inputs: tuple[str, ...], form: str) -> Any:
    """Columns of the production terms from the (nobs, n_inputs) matrix of log inputs ``x``.

    Cobb-Douglas: ``x`` itself. Translog: ``x`` then ``x_j²`` for squares and ``x_i·x_j`` for
    cross terms (as prodest), so that elasticities are ``β_j + 2 β_jj x_j + Σ_i β_ij x_i``.
    """
    import numpy as np

    x = np.asarray(x, dtype=np.float64)
    if form == "cobb-douglas":
        return np.ascontiguousarray(x)
    terms = term_inputs(len(inputs), form)
    return np.ascontiguousarray(np.column_stack([x[:, t].prod(axis=1) for t in terms]))


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
