"""Sandwich covariance of stacked two-step estimating equations, clustered by firm.

A two-step (semiparametric) estimator whose first stage is a series regression is, once the
series is treated as parametric, a just-identified system of estimating equations stacked
stage by stage (Ackerberg, Chen & Hahn 2012; Newey 1984; Wooldridge 2009 for OP/LP):

.. math::

    A_s\\, m_s(\\theta_1, \\dots, \\theta_s) = 0,\\qquad
    m_s = \\sum_{f} \\psi_{s,f},\\qquad s = 1, \\dots, S,

where stage ``s`` has parameters :math:`\\theta_s` (``k_s`` of them), moment contributions
:math:`\\psi_{s,f}` summed within each firm ``f`` (``m_s ≥ k_s`` of them) and a fixed
selection :math:`A_s` (``k_s × m_s``; the identity when the stage is just identified, or
:math:`\\Gamma' W` for a GMM stage). Stage ``s`` depends only on the parameters of stages
``1..s``, so the Jacobian :math:`J_{sr} = \\partial m_s / \\partial \\theta_r'` is block lower
triangular and the linearisation is solved stage by stage: the influence of firm ``f`` on
:math:`\\hat\\theta_s` is

.. math::

    \\mathrm{IF}_{s,f} = -(A_s J_{ss})^{-1} A_s \\Big(\\psi_{s,f}
                         + \\sum_{r<s} J_{sr}\\, \\mathrm{IF}_{r,f}\\Big),

and the covariance of all parameters is :math:`\\frac{G}{G-1} \\sum_f \\mathrm{IF}_f
\\mathrm{IF}_f'` (firm-clustered meat, ``G`` firms). This equals the textbook sandwich
:math:`(AJ)^{-1} A \\Omega A' (AJ)^{-\\top}` of the whole stack with
:math:`\\Omega = \\sum_f \\psi_f \\psi_f'`, without forming the stacked matrices. Estimating the
selection :math:`A` (a weight matrix, the derivative of a concentrated criterion) has no
first-order effect when :math:`m(\\theta_0)` has mean zero, i.e. when the model is correctly
specified; where a selection involves a sample mean whose population value is not zero
(the concentrated least squares of OP/LP), make it a parameter with estimating equations of
its own instead, so the system is exactly the estimator's first-order conditions.

The same recursion applied to the summed moments at the estimate gives the Newton step of
the whole system, :meth:`StackedCovariance.newton_step`: at an exact solution of the
estimating equations it is zero, so its size relative to the standard errors says whether
the estimate is a stationary point (a check of the optimizer, not of the model).

References
----------
Ackerberg, D., Chen, X., & Hahn, J. (2012). A practical asymptotic variance estimator for
two-step semiparametric estimators. *Review of Economics and Statistics*, 94(2), 481–498.
https://doi.org/10.1162/REST_a_00251

Newey, W. K. (1984). A method of moments interpretation of sequential estimators.
*Economics Letters*, 14(2–3), 201–206.

Wooldridge, J. M. (2009). On estimating firm-level production functions using proxy
variables to control for unobservables. *Economics Letters*, 104(3), 112–114.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tfp.exceptions import IdentificationError

__all__ = [
    "ReportedCovariance",
    "StackedCovariance",
    "StackedStage",
    "concentrated_gmm_selection",
    "firm_sums",
    "firm_weighted_sums",
    "orthonormalizing_map",
    "stacked_covariance",
]

#: A stage whose ``A_s J_ss`` has a reciprocal condition number below this is singular: its
#: parameters are not (locally) identified by its estimating equations.
RCOND_SINGULAR = 1e-13


def firm_weighted_sums(
    weights: np.ndarray,
    rows: np.ndarray,
    firm: np.ndarray,
    n_firms: int,
    matrix: np.ndarray,
) -> np.ndarray:
    """``Σ_i weights_i · matrix[rows_i]`` within each firm ``firm[rows_i]``, (n_firms, m).

    One sparse product, without the (len(rows), m) matrix of contributions: the per-firm
    moment sums of a stage whose contributions are a per-row weight times a row of a large
    matrix (``x_i e_i`` of a least-squares first stage).
    """
    from scipy import sparse

    rows = np.asarray(rows, dtype=np.int64)
    s = sparse.csr_matrix(
        (np.asarray(weights, dtype=np.float64), (np.asarray(firm)[rows], rows)),
        shape=(n_firms, matrix.shape[0]),
    )
    return np.asarray(s @ matrix, dtype=np.float64)


def orthonormalizing_map(a: np.ndarray) -> np.ndarray:
    """``T`` (p, p) such that the columns of ``a @ T`` (n, p) are orthonormal times ``√n``.

    Reparametrising a linear index ``a γ`` as ``(a T)(T^{-1} γ)`` changes no fitted value
    but turns raw polynomial columns (scales and correlations spanning many orders of
    magnitude) into a well-conditioned basis. From the Cholesky factor of the
    column-equilibrated Gram matrix (one pass over the rows), or a QR factorisation when the
    Gram matrix is too ill-conditioned for Cholesky.
    """
    norms = np.sqrt(np.einsum("ij,ij->j", a, a))
    norms[norms == 0] = 1.0
    scaled = a / norms
    try:
        chol = np.linalg.cholesky(scaled.T @ scaled)
        t = np.linalg.inv(chol.T) / norms[:, None]
    except np.linalg.LinAlgError:
        t = np.linalg.inv(np.linalg.qr(a, mode="r"))
    return np.asarray(t * np.sqrt(a.shape[0]), dtype=np.float64)


def firm_sums(scores: np.ndarray, firm: np.ndarray, n_firms: int) -> np.ndarray:
    """Sum the rows of ``scores`` (n, m) within each firm; returns (n_firms, m).

    ``firm`` holds integer codes in ``0..n_firms-1``, sorted (rows of a firm are adjacent, as
    in every :class:`~tfp.panel.Panel`); firms without rows get zeros.
    """
    scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim == 1:
        scores = scores[:, None]
    out = np.zeros((n_firms, scores.shape[1]))
    if scores.shape[0] == 0:
        return out
    firm = np.asarray(firm, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, firm[1:] != firm[:-1]])
    out[firm[starts]] = np.add.reduceat(scores, starts, axis=0)
    return out


@dataclass(frozen=True, eq=False)
class StackedStage:
    """One stage of a stacked system of estimating equations.

    Attributes
    ----------
    name : str
        Label used in error messages (``"first stage"`` …).
    scores : ndarray, shape (G, m_s)
        Moment contributions at the estimate, summed within each firm (all stages share
        the firm order).
    jacobian : sequence of ndarray or None
        ``jacobian[r]`` is ``∂m_s/∂θ_r'`` (m_s, k_r) of the summed moments with respect to
        the parameters of stage ``r = 0..s``; ``None`` where the stage does not depend on
        stage ``r``. The last entry (``r = s``) is required.
    select : ndarray (k_s, m_s) or None
        The fixed selection ``A_s``; ``None`` is the identity (a just-identified stage).
    """

    name: str
    scores: np.ndarray
    jacobian: Sequence[np.ndarray | None]
    select: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class StackedCovariance:
    """Covariance of every parameter of a stacked system.

    Attributes
    ----------
    vcov : ndarray, shape (K, K)
        ``G/(G−1) Σ_f IF_f IF_f'``, parameters in stage order.
    influence : ndarray, shape (G, K)
        Per-firm influence ``IF_f`` (``θ̂ − θ ≈ Σ_f IF_f``).
    offsets : tuple of int
        Where each stage's parameters start in ``vcov`` (length ``S + 1``).
    newton_step : ndarray, shape (K,)
        ``−(AJ)^{-1} A m(θ̂)``: the Newton step of the whole system from the estimate.
    n_clusters : int
        Firms with at least one moment contribution.
    """

    vcov: np.ndarray
    influence: np.ndarray
    offsets: tuple[int, ...]
    newton_step: np.ndarray
    n_clusters: int

    def block(self, stage: int) -> slice:
        """The positions of stage ``stage``'s parameters."""
        return slice(self.offsets[stage], self.offsets[stage + 1])


def _solve_stage(a_j: np.ndarray, rhs: np.ndarray, name: str) -> np.ndarray:
    """``(A J)^{-1} rhs`` on the row- and column-equilibrated ``A J`` (k, k), with an
    identification check (polynomial coefficients on raw monomials span many orders of
    magnitude; equilibration removes that scale before the condition is judged)."""
    if not a_j.size:
        return np.zeros_like(rhs)
    rows = np.abs(a_j).max(axis=1)
    rows[rows == 0] = 1.0
    scaled = a_j / rows[:, None]
    cols = np.abs(scaled).max(axis=0)
    cols[cols == 0] = 1.0
    scaled = scaled / cols[None, :]
    if not np.all(np.isfinite(scaled)) or 1.0 / np.linalg.cond(scaled) < RCOND_SINGULAR:
        raise IdentificationError(
            f"the estimating equations of the {name} are singular at the estimate, "
            "so its analytic covariance is not defined",
            fix="use the bootstrap (se=tfp.Bootstrap(...)) or simplify the specification",
        )
    r = rhs / (rows[:, None] if rhs.ndim == 2 else rows)
    sol = np.linalg.solve(scaled, r)
    return np.asarray(
        sol / (cols[:, None] if rhs.ndim == 2 else cols), dtype=np.float64
    )


def stacked_covariance(stages: Sequence[StackedStage]) -> StackedCovariance:
    """Firm-clustered covariance of a block-triangular stacked system (see module docs).

    Raises
    ------
    IdentificationError
        A stage's ``A_s J_ss`` is singular.
    """
    if not stages:
        raise ValueError("no stages")
    n_g = stages[0].scores.shape[0]
    influence: list[np.ndarray] = []
    steps: list[np.ndarray] = []
    offsets = [0]
    active = np.zeros(n_g, dtype=bool)
    for s, st in enumerate(stages):
        if st.scores.shape[0] != n_g or len(st.jacobian) != s + 1:
            raise ValueError(
                f"stage {st.name!r}: scores or jacobian of the wrong shape"
            )
        j_ss = st.jacobian[s]
        if j_ss is None:
            raise ValueError(f"stage {st.name!r} has no own Jacobian")
        active |= np.any(st.scores != 0.0, axis=1)
        psi = st.scores.copy()
        total = psi.sum(axis=0)
        for r in range(s):
            j_sr = st.jacobian[r]
            if j_sr is not None:
                psi += influence[r] @ j_sr.T
                total += j_sr @ steps[r]
        a = st.select
        if a is None:
            a_j, a_psi, a_tot = j_ss, psi, total
        else:
            a_j, a_psi, a_tot = a @ j_ss, psi @ a.T, a @ total
        influence.append(-_solve_stage(a_j, a_psi.T, st.name).T)
        steps.append(-_solve_stage(a_j, a_tot, st.name))
        offsets.append(offsets[-1] + j_ss.shape[1])
    inf = np.hstack(influence)
    g = int(active.sum())
    factor = g / (g - 1) if g > 1 else float("nan")
    v = inf.T @ inf * factor
    return StackedCovariance(
        vcov=0.5 * (v + v.T),
        influence=inf,
        offsets=tuple(offsets),
        newton_step=np.concatenate(steps),
        n_clusters=g,
    )


def concentrated_gmm_selection(
    j_a_theta: np.ndarray,
    j_a_nu: np.ndarray,
    j_b_theta: np.ndarray,
    j_b_nu: np.ndarray,
    weight: np.ndarray,
) -> np.ndarray:
    """Selection of a GMM stage whose nuisance ``ν`` is concentrated out.

    Parameters ``(θ, ν)``, moments ``(a, b)``: ``ν(θ)`` solves the exactly identifying
    ``m_b(θ, ν) = 0`` (the law of motion's normal equations) and ``θ`` minimises
    ``m_a(θ, ν(θ))' W m_a(θ, ν(θ))``. Its first-order condition is ``Γ' W m_a = 0`` with the
    total derivative ``Γ = J_aθ − J_aν J_bν^{-1} J_bθ``, so

    ``A = [[Γ'W, 0], [0, I]]`` (rows: θ then ν; columns: moments a then b).
    """
    gamma = j_a_theta - j_a_nu @ np.linalg.solve(j_b_nu, j_b_theta)
    k, h = j_a_theta.shape[1], j_b_nu.shape[1]
    q = j_a_theta.shape[0]
    a = np.zeros((k + h, q + h))
    a[:k, :q] = gamma.T @ weight
    a[k:, q:] = np.eye(h)
    return a


@dataclass(frozen=True, eq=False)
class ReportedCovariance:
    """The covariance of an estimator's reported parameters, taken from a stacked system.

    Attributes
    ----------
    vcov : ndarray, shape (p, p)
        Covariance of the reported parameters, in their order.
    step_ratio : float
        Largest ``|Newton step| / standard error`` among them (0 at an exact solution of
        the estimating equations; see :meth:`StackedCovariance.step_ratio`).
    n_clusters : int
        Firms in the clustered meat.
    """

    vcov: np.ndarray
    step_ratio: float
    n_clusters: int

    @classmethod
    def take(
        cls, cov: StackedCovariance, positions: Sequence[int]
    ) -> ReportedCovariance:
        """The reported parameters at ``positions`` of the stacked parameter vector."""
        idx = np.asarray(positions, dtype=np.int64)
        v = cov.vcov[np.ix_(idx, idx)]
        se = np.sqrt(np.clip(np.diag(v), 0.0, None))
        step = np.abs(cov.newton_step[idx])
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(se > 0, step / se, np.where(step > 0, np.inf, 0.0))
        return cls(
            vcov=v,
            step_ratio=float(ratio.max()) if ratio.size else 0.0,
            n_clusters=cov.n_clusters,
        )

    def mapped(self, t: np.ndarray) -> ReportedCovariance:
        """The covariance of ``t @ p`` (a linear reparametrisation of the reported
        parameters ``p``, e.g. centred to raw production-term coefficients)."""
        t = np.asarray(t, dtype=np.float64)
        return ReportedCovariance(t @ self.vcov @ t.T, self.step_ratio, self.n_clusters)
