"""Full polynomial bases (all monomials up to a total degree) with readable term names."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from itertools import combinations_with_replacement

import numpy as np

from tfp._kernels.poly_nb import poly_basis_nb

__all__ = [
    "exponent_table",
    "poly_basis",
    "poly_derivative_basis",
    "poly_names",
    "term_exponents",
]


@lru_cache(maxsize=64)
def _exponents(p: int, degree: int, include_constant: bool) -> np.ndarray:
    rows: list[list[int]] = []
    start = 0 if include_constant else 1
    for d in range(start, degree + 1):
        for combo in combinations_with_replacement(range(p), d):
            e = [0] * p
            for j in combo:
                e[j] += 1
            rows.append(e)
    out = np.array(rows, dtype=np.int64).reshape(len(rows), p)
    out.setflags(write=False)
    return out


def exponent_table(p: int, degree: int, *, include_constant: bool = True) -> np.ndarray:
    """Exponents of every monomial of total degree <= ``degree`` in ``p`` variables.

    Order: constant (if included), then degree 1 in column order, then degree 2 as
    ``combinations_with_replacement`` (x1², x1·x2, …), and so on. Read-only (m, p) int64.
    """
    if degree < 0 or p < 0:
        raise ValueError("degree and p must be non-negative")
    return _exponents(int(p), int(degree), bool(include_constant))


def poly_basis(
    x: np.ndarray, degree: int, *, include_constant: bool = True
) -> np.ndarray:
    """All monomials of the columns of ``x`` (n, p) up to total ``degree`` as an (n, m) matrix."""
    x = np.ascontiguousarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    e = np.ascontiguousarray(
        exponent_table(x.shape[1], degree, include_constant=include_constant)
    )
    return poly_basis_nb(x, e)


def poly_derivative_basis(
    x: np.ndarray, exponents: np.ndarray, wrt: tuple[int, ...]
) -> np.ndarray:
    """Derivatives of the monomials ``x^{e_m}`` (rows of ``exponents``) in the columns ``wrt``.

    Column ``m`` of the (n, m) result is ``∂^{|wrt|} x^{e_m} / ∂x_{wrt[0]} ∂x_{wrt[1]} …``,
    so ``poly_derivative_basis(x, e, (j,)) @ c`` is the derivative of the polynomial
    ``Σ_m c_m x^{e_m}`` in ``x_j``. ``wrt=()`` gives the basis itself.
    """
    x = np.ascontiguousarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    e = np.array(exponents, dtype=np.int64, copy=True)
    mult = np.ones(e.shape[0])
    for j in wrt:
        mult *= e[:, j]
        e[:, j] = np.maximum(e[:, j] - 1, 0)
    out = poly_basis_nb(x, np.ascontiguousarray(e))
    return np.asarray(out * mult[None, :], dtype=np.float64)


def poly_names(
    names: Sequence[str], degree: int, *, include_constant: bool = True
) -> tuple[str, ...]:
    """Term names matching :func:`poly_basis`: ``const``, ``k``, ``k^2``, ``k:m``, ``k^2:m`` …"""
    e = exponent_table(len(names), degree, include_constant=include_constant)
    out = []
    for row in e:
        parts = [
            (n if p == 1 else f"{n}^{p}")
            for n, p in zip(names, row, strict=True)
            if p > 0
        ]
        out.append(":".join(parts) if parts else "const")
    return tuple(out)


def term_exponents(n_inputs: int, form: str) -> np.ndarray:
    """Exponents (n_terms, n_inputs) of the production terms, in ``spec.terms`` order.

    Cobb-Douglas: one row per input. Translog: then ``x_a x_b`` for every pair ``a <= b``
    in ``combinations_with_replacement`` order (``x_a^2`` when ``a == b``).
    """
    rows = [np.eye(n_inputs, dtype=np.int64)[j] for j in range(n_inputs)]
    if form == "translog":
        for a, b in combinations_with_replacement(range(n_inputs), 2):
            e = np.zeros(n_inputs, dtype=np.int64)
            e[a] += 1
            e[b] += 1
            rows.append(e)
    return np.vstack(rows).reshape(len(rows), n_inputs)
