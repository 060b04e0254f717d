"""GMM criteria: weight matrices and the concentrated Markov (ACF) criterion with its gradient.

The control-function second stage sets ``ω(β) = φ − Xβ`` and ``ω₋(β) = φ₋ − X₋β``, regresses
``ω`` on ``H(β) = [1, ω₋, …, ω₋^d, C₋]`` (the law of motion, concentrated out in closed form)
and forms moments ``g(β) = Z'ξ(β)/N`` of the innovations ``ξ = ω − Hρ̂(β)``. The criterion is
``Q(β) = g' W g``. Its gradient is analytic:

``∂ξ/∂β_j = M_H a_j − H (H'H)^{-1} (∂H/∂β_j)'ξ``, ``a_j = −X_j + X₋_j g'(ω₋)``,

so ``∂Q/∂β = 2 (Z' ∂ξ/∂β / N)' W g``. One evaluation is one call of the fused numba kernel
:func:`tfp._kernels.markov_nb.markov_eval_nb` (two row passes and the small solves).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from scipy.optimize import OptimizeResult

from tfp._kernels.bfgs_nb import markov_bfgs_nb
from tfp._kernels.markov_nb import (
    STATUS_OK,
    markov_eval_nb,
    markov_gram_nb,
    markov_rho_nb,
    markov_xi_nb,
)
from tfp.exceptions import IdentificationError
from tfp.numerics.gauss_newton import PolishResult, levenberg_marquardt
from tfp.numerics.linalg import check_rank

__all__ = [
    "MarkovGMM",
    "bfgs_result",
    "markov_bfgs",
    "markov_criterion",
    "markov_criterion_and_grad",
    "markov_polish",
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
        hh, hw = markov_gram_nb(
            self.phi, self.phil, self.x, self.xl, self.cl, b, self.degree, 0.0, 1.0
        )
        status, rho, hs, scale = markov_rho_nb(hh, hw, RCOND_SINGULAR)
        if status != STATUS_OK:
            return None
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
            markov_xi_nb(
                self.phi,
                self.phil,
                self.x,
                self.xl,
                self.cl,
                b,
                m[0],
                self.degree,
                0.0,
                1.0,
            )
        )

    def value_and_grad(
        self, beta: np.ndarray, grad: bool = True
    ) -> tuple[float, np.ndarray]:
        """Criterion ``Q(β)`` and its gradient (``inf`` and zeros where ``H'H`` is singular)."""
        b = _c(beta)
        status, val, g, jac = self._evaluate(b, grad)
        if status != STATUS_OK:
            return float("inf"), np.zeros(b.shape[0])
        if not grad:
            return float(val), np.zeros(b.shape[0])
        return float(val), np.asarray(2.0 * jac.T @ (self.weight @ g), dtype=np.float64)

    def _evaluate(
        self, beta: np.ndarray, jac: bool
    ) -> tuple[int, float, np.ndarray, np.ndarray]:
        """One call of the fused kernel: ``(status, Q, g, ∂g/∂β)``."""
        status, val, g, dg, _ = markov_eval_nb(
            self.phi,
            self.phil,
            self.x,
            self.xl,
            self.cl,
            self.z,
            self.weight,
            beta,
            self.degree,
            False,
            RCOND_SINGULAR,
            jac,
        )
        return int(status), float(val), g, dg

    def moments(self, beta: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """The moments ``g(β) = Z'ξ/N`` (q,) and their Jacobian ``∂g/∂β`` (q, p), or None
        where ``H'H`` is singular: what a Gauss–Newton step needs
        (:func:`tfp.numerics.gauss_newton.levenberg_marquardt`)."""
        status, _, g, jac = self._evaluate(_c(beta), True)
        return None if status != STATUS_OK else (g, jac)


def markov_criterion(beta: np.ndarray, problem: MarkovGMM) -> float:
    """``Q(β)`` of ``problem`` (module level, so ``functools.partial`` of it pickles)."""
    return problem.value_and_grad(np.asarray(beta, dtype=np.float64), grad=False)[0]


def markov_criterion_and_grad(
    beta: np.ndarray, problem: MarkovGMM
) -> tuple[float, np.ndarray]:
    """``(Q(β), ∇Q(β))`` of ``problem``, for gradient-based optimizers (``jac=True``)."""
    return problem.value_and_grad(np.asarray(beta, dtype=np.float64), grad=True)


def markov_polish(
    beta: np.ndarray, problem: MarkovGMM, gtol: float = 1e-10
) -> PolishResult:
    """Levenberg–Marquardt polish of ``Q`` from ``beta`` with the kernel's Jacobian of the
    moments (:func:`tfp.numerics.gauss_newton.levenberg_marquardt`): near a root of a
    just-identified problem it converges quadratically, in a few evaluations."""
    return levenberg_marquardt(
        problem.moments,
        np.asarray(beta, dtype=np.float64),
        weight=problem.weight,
        gtol=gtol,
    )


#: SciPy's BFGS messages, by status.
_BFGS_MESSAGES = {
    0: "Optimization terminated successfully.",
    1: "Maximum number of iterations has been exceeded.",
    2: "Desired error not necessarily achieved due to precision loss.",
    3: "NaN result encountered.",
}


def bfgs_result(out: tuple[np.ndarray, float, int, int, int]) -> OptimizeResult:
    """A :func:`tfp._kernels.bfgs_nb.markov_bfgs_nb` result as SciPy reports it."""
    x, fun, nit, nfev, status = out
    return OptimizeResult(
        x=np.asarray(x),
        fun=float(fun),
        nit=int(nit),
        nfev=int(nfev),
        status=int(status),
        success=status == 0,
        message=_BFGS_MESSAGES[int(status)],
    )


def markov_bfgs(
    beta0: np.ndarray, options: dict[str, float], problem: MarkovGMM
) -> OptimizeResult | None:
    """SciPy's BFGS on ``Q`` with its analytic gradient, compiled
    (:func:`tfp._kernels.bfgs_nb.markov_bfgs_nb`: SciPy's path, without its Python
    bookkeeping); ``options`` as :func:`tfp.numerics.optimize.scipy_options` gives them for
    ``"bfgs"``. None for other methods' options."""
    if "gtol" not in options or "xrtol" not in options:
        return None
    p = problem.x.shape[1]
    return bfgs_result(
        markov_bfgs_nb(
            problem.phi,
            problem.phil,
            problem.x,
            problem.xl,
            problem.cl,
            problem.z,
            problem.degree,
            False,
            RCOND_SINGULAR,
            problem.weight,
            False,
            np.eye(p),
            1.0,
            np.array(beta0, dtype=np.float64),
            float(options["gtol"]),
            float(options["xrtol"]),
            int(options["maxiter"]),
        )
    )
