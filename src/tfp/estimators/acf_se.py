"""Analytic covariance of Ackerberg–Caves–Frazer: the stacked estimating equations.

The series first stage is treated as parametric (Ackerberg, Chen & Hahn 2012) and stacked
with the second stage's moments; :func:`tfp.numerics.stacked.stacked_covariance` gives the
firm-clustered sandwich. With ``a = [B, c]`` the first-stage regressors (``B`` the polynomial
in free, state, flexible and proxy, ``c`` the controls and period dummies), ``φ = B γ_B``,
``X`` the production terms, ``ω = φ − Xβ`` and ``H = [1, ω_{t−1}, …, ω_{t−1}^d, C_{t−1}]``:

1. **First stage** (every row), parameters ``γ = (γ_B, γ_c)``: ``Σ a (y − a γ) = 0``.
2. **Second stage** (rows with ``t−1`` observed), parameters ``(β, ρ)``: the instruments'
   moments ``Σ Z ξ`` and the law of motion's normal equations ``Σ H ξ = 0``, with
   ``ξ = ω − H ρ``. The estimator minimises ``(Σ Zξ)' W (Σ Zξ)`` with ``ρ = ρ(β)``
   concentrated out, so its first-order condition is ``Γ' W Σ Z ξ = 0`` with the total
   derivative ``Γ`` (:func:`~tfp.numerics.stacked.concentrated_gmm_selection`). The
   coefficients ``ρ`` are parameters of the stack; the concentration enters only through
   the fixed selection. With as many instruments as terms (the default instruments, Cobb-
   Douglas or translog) ``Σ Z ξ = 0`` at the estimate and the selection does not matter;
   with ``extra_instruments`` the selection is the usual GMM sandwich under correct
   specification, and two-step ``W`` is held at its estimate (its estimation has no
   first-order effect then).

The Jacobian is analytic: the ``(β, ρ)`` blocks come from the criterion's kernels
(:func:`tfp._kernels.markov_nb.markov_moments_nb`: ``Z'a``, ``H'a``, ``Z'H``, ``E`` with
``a = ∂ξ/∂β = −X + g'(ω_{t−1}) X_{t−1}``), the first-stage block is
``∂ξ/∂γ_B = B − g'(ω_{t−1}) B_{t−1}`` and ``∂H/∂γ_B = H_ω B_{t−1}'``.

References
----------
Ackerberg, D., Chen, X., & Hahn, J. (2012). A practical asymptotic variance estimator for
two-step semiparametric estimators. *Review of Economics and Statistics*, 94(2), 481–498.

Ackerberg, D. A., Caves, K., & Frazer, G. (2015). Identification properties of recent
production function estimators. *Econometrica*, 83(6), 2411–2451 (section 4.4 and the
online appendix: standard errors).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tfp._kernels.markov_nb import (
    lag_centre_scale_nb,
    markov_gram_nb,
    markov_moments_nb,
    markov_xi_nb,
)
from tfp._kernels.stacked_nb import first_stage_sums_nb
from tfp.estimators.acf import ACF, _first_stage_design, _instrument_matrix
from tfp.estimators.fit import Fit
from tfp.exceptions import IdentificationError
from tfp.numerics.stacked import (
    ReportedCovariance,
    StackedStage,
    concentrated_gmm_selection,
    firm_sums,
    stacked_covariance,
)
from tfp.options.acf import ACFOptions
from tfp.panel import Panel
from tfp.spec import ProductionSpec, term_matrix

__all__ = ["ACFSystem", "analytic_covariance", "build_system"]

#: Reciprocal condition number of the column-equilibrated first-stage Gram matrix below which
#: the first stage counts as rank deficient (the estimator's least squares then picks one of
#: many coefficient vectors, and its covariance is not defined).
FIRST_STAGE_RCOND = 1e-12


@dataclass(frozen=True, eq=False)
class ACFSystem:
    """The stacked estimating equations of ACF, with their data fixed at the estimate.

    Stacked parameters, in order: the first stage ``γ`` (columns of ``a``), the production
    terms ``β`` and the law-of-motion coefficients ``ρ`` (powers of ``v = (ω_{t−1} −
    centre)/scale``, then the Markov controls; ``centre`` and ``scale`` are fixed at the
    estimate: the same span as powers of ``ω_{t−1}``, as the estimator's kernels use). :meth:`evaluate` gives per-row moment contributions and the analytic
    Jacobian of their sums at any parameter vector; :meth:`stages` assembles the system.
    """

    a: np.ndarray  # first-stage regressors (n, p1), basis first
    gram: np.ndarray  # a'a (it does not depend on the parameters)
    n_basis: int
    y: np.ndarray
    use: np.ndarray  # rows with t−1 observed (positions) and their t−1 rows
    lag: np.ndarray
    x: np.ndarray  # production terms, every row
    cl: np.ndarray  # Markov controls at t−1 on the used rows
    z: np.ndarray  # instruments on the used rows
    weight: np.ndarray
    degree: int
    centre: float  # of the law of motion's variable, fixed at the estimate
    scale: float
    firm: np.ndarray
    n_firms: int
    sizes: tuple[int, int, int]  # (p1, p, h)
    estimate: np.ndarray = field(repr=False)

    @property
    def stage_sizes(self) -> tuple[int, ...]:
        """Parameters of each stage (first stage, second stage)."""
        return (self.sizes[0], self.sizes[1] + self.sizes[2])

    @property
    def positions(self) -> tuple[int, ...]:
        """Stacked positions of the reported parameters (the production terms)."""
        return tuple(range(self.sizes[0], self.sizes[0] + self.sizes[1]))

    def evaluate(
        self, params: np.ndarray
    ) -> tuple[list[np.ndarray], list[list[np.ndarray | None]]]:
        """Per-firm moment sums of each stage and the Jacobian blocks of their totals (see
        :meth:`tfp.estimators.control_function_se.ControlFunctionSystem.evaluate`)."""
        p1, p, _ = self.sizes
        params = np.asarray(params, dtype=np.float64)
        gam, beta, rho = params[:p1], params[p1 : p1 + p], params[p1 + p :]
        a, nb, use, lag = self.a, self.n_basis, self.use, self.lag
        fitted = a @ gam
        e1 = self.y - fitted
        phi = fitted - a[:, nb:] @ gam[nb:] if nb < p1 else fitted
        phi_u, phi_l = np.ascontiguousarray(phi[use]), np.ascontiguousarray(phi[lag])
        x_u, x_l = np.ascontiguousarray(self.x[use]), np.ascontiguousarray(self.x[lag])
        args = (phi_u, phi_l, x_u, x_l, self.cl)
        cs = (self.degree, self.centre, self.scale)
        hh, _ = markov_gram_nb(*args, beta, *cs)
        _, za, ha, zh, e = markov_moments_nb(*args, self.z, beta, rho, *cs, True)
        xi = np.asarray(markov_xi_nb(*args, beta, rho, *cs))
        v = (phi_l - x_l @ beta - self.centre) / self.scale
        powers = np.vander(v, self.degree + 1, increasing=True)  # products, not pow()
        hmat = np.column_stack([powers, self.cl])
        # ∂H/∂ω_{t−1} (powers only) and g'(ω_{t−1})
        h_w = np.zeros_like(hmat)
        h_w[:, 1 : self.degree + 1] = (
            powers[:, :-1] * np.arange(1, self.degree + 1) / self.scale
        )
        gp = h_w @ rho
        # first-stage block in one pass over a: the moments Σ Z ξ and Σ H ξ load on φ_t
        # (left factors Z, H at the row's own position) and on φ_{t−1} (−Z g', H_ω ξ − H g'
        # at the lagged row's position); the controls do not enter φ
        n_q = self.z.shape[1]
        scat = np.zeros((a.shape[0], n_q + hmat.shape[1]))
        scat[use] = np.hstack([self.z, hmat])
        scat[lag] += np.hstack(
            [-self.z * gp[:, None], h_w * xi[:, None] - hmat * gp[:, None]]
        )
        # one pass over a: the first stage's per-firm moment sums and the block above
        sums1, j_gamma = first_stage_sums_nb(
            a, e1, np.asarray(self.firm, dtype=np.int64), self.n_firms, scat
        )
        j_gamma[:, nb:] = 0.0
        jac2 = np.vstack([np.hstack([za, -zh]), np.hstack([ha + e, -hh])])
        moments = [
            sums1,
            firm_sums(
                np.hstack([self.z * xi[:, None], hmat * xi[:, None]]),
                self.firm[use],
                self.n_firms,
            ),
        ]
        jacobian: list[list[np.ndarray | None]] = [
            [-self.gram],
            [j_gamma, jac2],
        ]
        return moments, jacobian

    def stages(self) -> list[StackedStage]:
        """The stacked system at the estimate, with per-firm moment sums and the selection."""
        moments, jacobian = self.evaluate(self.estimate)
        p = self.sizes[1]
        q = self.z.shape[1]
        j2 = jacobian[1][1]
        assert j2 is not None
        select = concentrated_gmm_selection(
            j2[:q, :p], j2[:q, p:], j2[q:, :p], j2[q:, p:], self.weight
        )
        return [
            StackedStage("first stage", moments[0], jacobian[0]),
            StackedStage("second stage", moments[1], jacobian[1], select),
        ]


def build_system(
    panel: Panel, spec: ProductionSpec, options: ACFOptions, fit: Fit
) -> ACFSystem:
    """The stacked system of an ACF estimate ``fit`` (of ``panel``, ``spec``, ``options``).

    Raises
    ------
    IdentificationError
        The first-stage regressors are collinear, or the law of motion is singular at the
        estimate.
    """
    y = np.asarray(panel[spec.output], dtype=np.float64)
    a, nb, *_ = _first_stage_design(panel, spec, options)
    # the first stage's least squares (the estimator's, up to rounding), equilibrated
    norms = np.sqrt(np.einsum("ij,ij->j", a, a))
    norms[norms == 0] = 1.0
    gram = a.T @ a
    scaled = gram / np.outer(norms, norms)
    if 1.0 / np.linalg.cond(scaled) < FIRST_STAGE_RCOND:
        raise IdentificationError(
            "the first-stage regressors (polynomial, controls, period dummies) are "
            "collinear, so the first-stage coefficients and their covariance are not unique",
            fix="drop redundant controls or lower poly_degree, or use the bootstrap",
        )
    coef = np.linalg.solve(scaled, (a.T @ y) / norms) / norms
    xin = panel.matrix(spec.inputs)
    x = term_matrix(xin, spec.inputs, spec.form)
    lag_all = panel.lag_index(1)
    use_mask = lag_all >= 0
    use = np.flatnonzero(use_mask)
    lag = lag_all[use_mask]
    z, _ = _instrument_matrix(panel, spec, options, xin, use_mask, lag)
    cl = (
        panel.matrix(options.markov_controls)[lag]
        if options.markov_controls
        else np.empty((use.shape[0], 0))
    )
    beta = np.asarray(fit.params, dtype=np.float64)
    details = fit.details
    assert isinstance(details, ACF)
    phi = a[:, :nb] @ coef[:nb]
    phi_l, x_l = np.ascontiguousarray(phi[lag]), np.ascontiguousarray(x[lag])
    # the law of motion in v = (ω_{t−1} − centre)/spread, both fixed at the estimate
    centre, spread = lag_centre_scale_nb(phi_l, x_l, beta)
    if not spread > 0:
        raise IdentificationError(
            "productivity at t−1 does not vary at the estimate",
            fix="check the inputs, or use the bootstrap",
        )
    hh, hw = markov_gram_nb(
        np.ascontiguousarray(phi[use]),
        phi_l,
        np.ascontiguousarray(x[use]),
        x_l,
        np.ascontiguousarray(cl),
        beta,
        options.markov_degree,
        centre,
        spread,
    )
    scale = np.sqrt(np.diag(hh))
    if np.any(scale == 0) or 1.0 / np.linalg.cond(hh / np.outer(scale, scale)) < 1e-13:
        raise IdentificationError(
            "the law-of-motion regressors are collinear at the estimate",
            fix="lower markov_degree, or use the bootstrap",
        )
    rho = np.linalg.solve(hh / np.outer(scale, scale), hw / scale) / scale
    return ACFSystem(
        a=a,
        gram=gram,
        n_basis=nb,
        y=y,
        use=use,
        lag=lag,
        x=x,
        cl=np.ascontiguousarray(cl),
        z=z,
        weight=np.asarray(details.weight_matrix, dtype=np.float64),
        degree=options.markov_degree,
        centre=float(centre),
        scale=float(spread),
        firm=np.asarray(panel.firm),
        n_firms=panel.n_firms,
        sizes=(a.shape[1], beta.shape[0], rho.shape[0]),
        estimate=np.concatenate([coef, beta, rho]),
    )


def analytic_covariance(
    panel: Panel, spec: ProductionSpec, options: ACFOptions, fit: Fit
) -> ReportedCovariance:
    """Firm-clustered covariance of ``fit.params`` (the production terms) of an ACF fit.

    Raises
    ------
    IdentificationError
        The first stage or the stacked second stage is singular at the estimate.
    """
    system = build_system(panel, spec, options, fit)
    return ReportedCovariance.take(
        stacked_covariance(system.stages()), system.positions
    )
