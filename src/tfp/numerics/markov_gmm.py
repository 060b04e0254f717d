"""GMM criteria: weight matrices and the concentrated Markov (ACF) criterion with its gradient.

The control-function second stage sets ``ω(β) = φ − Xβ`` and ``ω₋(β) = φ₋ − X₋β``, regresses
``ω`` on ``H(β) = [1, ω₋, …, ω₋^d, C₋]`` (the law of motion, concentrated out in closed form)
and forms moments ``g(β) = Z'ξ(β)/N`` of the innovations ``ξ = ω − Hρ̂(β)``. The criterion is
``Q(β) = g' W g``. Its gradient is analytic:

``∂ξ/∂β_j = M_H a_j − H (H'H)^{-1} (∂H/∂β_j)'ξ``, ``a_j = −X_j + X₋_j g'(ω₋)``,

so ``∂Q/∂β = 2 (Z' ∂ξ/∂β / N)' W g``. Row passes run in numba kernels
(:mod:`tfp._kernels.gmm_nb`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from tfp._kernels.gmm_nb import acf_gram_nb, acf_moments_nb, acf_xi_nb
from tfp.exceptions import IdentificationError
from tfp.numerics.linalg import check_rank

__all__ = [
    "MarkovGMM",
    "markov_criterion",
    "markov_criterion_and_grad",
    "weight_one_step",
    "weight_two_step",
]

# Reciprocal condition number below which a weight or Markov Gram matrix counts as singular.
RCOND_SINGULAR = 1e-13


def _c(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float64)


def _scaled_inverse(a: np.ndarray, what: str, fix: str) -> np.ndarray:
    """Inverse of a symmetric moment matrix, the rank decision taken on its correlation form
    ``D^{-1} A D^{-1}`` (``D`` = square roots of the diagonal), so that columns in soles
    next to columns in logs do not look singular."""
    d = np.sqrt(np.abs(np.diag(a)))
    if a.size == 0 or np.any(d == 0):
        raise IdentificationError(what, fix=fix)
    a_s = a / np.outer(d, d)
    if 1.0 / np.linalg.cond(a_s) < RCOND_SINGULAR:
        raise IdentificationError(what, fix=fix)
    w: np.ndarray = np.linalg.inv(a_s) / np.outer(d, d)
    return (w + w.T) / 2.0


def weight_one_step(z: np.ndarray) -> np.ndarray:
    """``(Z'Z/N)^{-1}``: the one-step weight.

    Raises
    ------
    IdentificationError
        The instruments are collinear.
    """
    check_rank(
        z,
        what="instruments",
        fix="drop redundant instruments or inputs without variation",
    )
    return _scaled_inverse(
        z.T @ z / z.shape[0],
        "the instruments are collinear (Z'Z is singular)",
        "drop redundant instruments or inputs without variation",
    )


def weight_two_step(z: np.ndarray, resid: np.ndarray) -> np.ndarray:
    """``S^{-1}`` with ``S = N^{-1} Σ (z_i e_i − ḡ)(z_i e_i − ḡ)'``: the efficient weight."""
    m = z * resid[:, None]
    m = m - m.mean(axis=0)
    return _scaled_inverse(
        m.T @ m / z.shape[0],
        "the moment covariance is singular at the one-step estimate",
        "use weight='one-step' or fewer instruments",
    )


@dataclass(frozen=True, eq=False)
class MarkovGMM:
    """Arrays of a concentrated-Markov GMM problem (rows with a lag only).

    Attributes
    ----------
    phi, phil : ndarray (n,)
        First-stage fit at ``t`` and ``t−1``.
    x, xl : ndarray (n, p)
        Production terms at ``t`` and ``t−1``.
    cl : ndarray (n, c)
        Law-of-motion shifters at ``t−1`` (may have 0 columns).
    z : ndarray (n, q)
        Instruments.
    degree : int
        Degree of the Markov polynomial.
    weight : ndarray (q, q)
        Weight matrix ``W``.
    """

    phi: np.ndarray
    phil: np.ndarray
    x: np.ndarray
    xl: np.ndarray
    cl: np.ndarray
    z: np.ndarray
    degree: int
    weight: np.ndarray

    @classmethod
    def build(
        cls,
        phi: np.ndarray,
        phil: np.ndarray,
        x: np.ndarray,
        xl: np.ndarray,
        cl: np.ndarray,
        z: np.ndarray,
        degree: int,
        weight: np.ndarray | None = None,
    ) -> MarkovGMM:
        """Coerce the arrays (C-contiguous float64, read-only); default one-step weight."""
        arrays = [_c(a) for a in (phi, phil, x, xl, cl, z)]
        w = weight_one_step(arrays[5]) if weight is None else _c(weight)
        for a in (*arrays, w):
            a.setflags(write=False)
        phi, phil, x, xl, cl, z = arrays
        return cls(phi, phil, x, xl, cl, z, degree=int(degree), weight=w)

    def with_weight(self, weight: np.ndarray) -> MarkovGMM:
        """The same problem with another weight matrix."""
        w = _c(weight)
        w.setflags(write=False)
        return dataclasses.replace(self, weight=w)

    @property
    def nobs(self) -> int:
        """Rows of the problem."""
        return int(self.phi.shape[0])

    def markov(
        self, beta: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """``(ρ̂, D^{-1}H'HD^{-1}, D)`` at ``beta`` (``D`` = column norms of ``H``), or None
        when ``H'H`` is singular."""
        b = _c(beta)
        hh, hw = acf_gram_nb(
            self.phi, self.phil, self.x, self.xl, self.cl, b, self.degree
        )
        if not np.all(np.isfinite(hh)):
            return None
        scale = np.sqrt(np.diag(hh))
        if np.any(scale == 0):
            return None
        hs = hh / np.outer(scale, scale)
        if 1.0 / np.linalg.cond(hs) < RCOND_SINGULAR:
            return None
        rho = np.linalg.solve(hs, hw / scale) / scale
        return rho, hs, scale

    def xi(self, beta: np.ndarray) -> np.ndarray:
        """Innovations ``ξ(β)`` (n,).

        Raises
        ------
        IdentificationError
            ``H'H`` is singular at ``beta``.
        """
        b = _c(beta)
        m = self.markov(b)
        if m is None:
            raise IdentificationError(
                "the law-of-motion regressors are collinear at these coefficients",
                fix="lower markov_degree or check the inputs' variation",
            )
        return np.asarray(
            acf_xi_nb(
                self.phi, self.phil, self.x, self.xl, self.cl, b, m[0], self.degree
            )
        )

    def value_and_grad(
        self, beta: np.ndarray, grad: bool = True
    ) -> tuple[float, np.ndarray]:
        """Criterion ``Q(β)`` and its gradient (``inf`` and zeros where ``H'H`` is singular)."""
        b = _c(beta)
        p = b.shape[0]
        m = self.markov(b)
        if m is None:
            return float("inf"), np.zeros(p)
        rho, hs, scale = m
        zxi, za, ha, zh, e = acf_moments_nb(
            self.phi,
            self.phil,
            self.x,
            self.xl,
            self.cl,
            self.z,
            b,
            rho,
            self.degree,
            grad,
        )
        n = self.nobs
        g = zxi / n
        wg = self.weight @ g
        val = float(g @ wg)
        if not grad:
            return val, np.zeros(p)
        # Z' dξ = Z'a − Z'H (H'H)^{-1} (H'a + E)
        hinv_he = np.linalg.solve(hs, (ha + e) / scale[:, None]) / scale[:, None]
        dzxi = za - zh @ hinv_he
        gr = 2.0 * (dzxi / n).T @ wg
        return val, np.asarray(gr, dtype=np.float64)


def markov_criterion(beta: np.ndarray, problem: MarkovGMM) -> float:
    """``Q(β)`` of ``problem`` (module level, so ``functools.partial`` of it pickles)."""
    return problem.value_and_grad(np.asarray(beta, dtype=np.float64), grad=False)[0]


def markov_criterion_and_grad(
    beta: np.ndarray, problem: MarkovGMM
) -> tuple[float, np.ndarray]:
    """``(Q(β), ∇Q(β))`` of ``problem``, for gradient-based optimizers (``jac=True``)."""
    return problem.value_and_grad(np.asarray(beta, dtype=np.float64), grad=True)
