"""Analytic covariance of Olley–Pakes and Levinsohn–Petrin: the stacked estimating equations.

The series first stage is treated as parametric (Ackerberg, Chen & Hahn 2012) and every step
the estimator solves becomes a block of moment conditions (Wooldridge 2009 writes OP/LP as
one GMM system); :func:`tfp.numerics.stacked.stacked_covariance` turns them into the
firm-clustered sandwich. On the rows of the second stage (firm-years with ``t−1`` observed)
and with ``R`` the first-stage regressors (free terms ``x_F``, controls ``c``, the polynomial
``B`` in state, flexible and proxy):

1. **First stage** (all working rows), parameters ``γ = (β_F, γ_c, γ_B)``:
   ``Σ R_i (y_i − R_i γ) = 0``.
2. **Exit model** (OP's attrition correction only), parameters ``α``: the probit (logit)
   score ``Σ λ_i X_{e,i} = 0`` of the exit indicator on the lagged polynomial ``X_e = B_{t−1}``,
   ``P = F(X_e α)``.
3. **Second stage**, parameters ``(θ, g)`` (and ``G`` in value added): with ``ω = B γ_B (+ c γ_c when controls stay in
   φ) − x_S θ``, ``v = (ω_{t−1} − c̄)/s`` (centre and spread fixed at the estimate; the same
   span as ``ω_{t−1}``) and the law-of-motion basis ``H = poly(v[, P])``:

   - the law of motion, concentrated out by least squares: ``Σ H (ω − H g) = 0``;
   - the criterion's residual ``ξ = y − x_F β_F (− c γ_c) − x_S θ − H g``;
   - value added (least squares of ``ξ`` with ``g = g(θ)`` concentrated out): the exact
     first-order condition ``Σ ξ (∂ξ/∂θ|_g − H G) = 0``, where ``G = dg/dθ`` is a parameter
     with its own equations ``Σ [H (∂(ω − Hg)/∂θ|_g − H G)' − (ω − Hg) ∂H/∂ω_{t−1}
     x_{S,t−1}'] = 0`` (the implicit derivative of the law of motion). ``G`` cannot be held
     fixed: it multiplies ``Σ H ξ = Σ H ε̂``, the first-stage residual against the lagged
     polynomial, which is far from zero on real data (series error, misspecification), so
     its sampling variation moves the estimate at first order (on ``chilean`` OP capital:
     0.040 with ``G`` fixed against 0.029 here and 0.030 for the bootstrap's IQR);
   - gross output (GMM): ``Σ Z ξ`` with the instruments and weight of the estimator and the
     first-order condition ``Γ' W Σ Z ξ = 0`` (:func:`~tfp.numerics.stacked.concentrated_gmm_selection`;
     the instruments are as many as ``θ``, so the selection does not matter).

The law-of-motion coefficients are parameters of the stack (their normal equations are a
block), not differentiated through. The Jacobian is analytic: ``∂ξ/∂θ = −x_S + h_ω
x_{S,t−1}``, ``∂ξ/∂γ_B = −h_ω B_{t−1}``, ``∂ξ/∂α = −h_P f(X_e α) X_e``, ``∂ξ/∂g = −H``
(``h_ω``, ``h_P`` the derivatives of ``h = H g``), with the second derivatives of ``H`` where
the first-order condition holds first derivatives.

References
----------
Ackerberg, D., Chen, X., & Hahn, J. (2012). A practical asymptotic variance estimator for
two-step semiparametric estimators. *Review of Economics and Statistics*, 94(2), 481–498.

Wooldridge, J. M. (2009). On estimating firm-level production functions using proxy
variables to control for unobservables. *Economics Letters*, 104(3), 112–114.

Olley, G. S., & Pakes, A. (1996). *Econometrica*, 64(6), 1263–1297 (appendix: the
asymptotic variance of the series estimator).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
from scipy import special

from tfp._kernels.stacked_nb import cf_second_stage_nb, first_stage_sums_nb
from tfp.estimators.control_function import (
    ControlFunction,
    _check_roles,
    _exit_indicator,
    _first_stage_design,
    _gross_output_instruments,
    _usable_rows,
)
from tfp.estimators.fit import Fit
from tfp.numerics.poly import exponent_table, poly_derivative_basis
from tfp.numerics.stacked import (
    ReportedCovariance,
    StackedStage,
    concentrated_gmm_selection,
    firm_weighted_sums,
    orthonormalizing_map,
    stacked_covariance,
)
from tfp.options.control_function import OPOptions, _ControlFunctionOptions
from tfp.panel import Panel
from tfp.spec import ProductionSpec

__all__ = ["ControlFunctionSystem", "analytic_covariance", "build_system"]


def _probit_parts(
    y: np.ndarray, eta: np.ndarray, model: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(P, dP/dη, score weight λ, Hessian weight) of the binary model at ``eta``."""
    if model == "probit":
        q = 2.0 * y - 1.0
        qe = q * eta
        lam = q * np.exp(-0.5 * qe**2 - 0.5 * np.log(2 * np.pi) - special.log_ndtr(qe))
        p = special.ndtr(eta)
        dens = np.exp(-0.5 * eta**2) / np.sqrt(2 * np.pi)
        return p, dens, lam, lam * (lam + eta)
    p = special.expit(eta)
    return p, p * (1.0 - p), y - p, p * (1.0 - p)


@dataclass(frozen=True, eq=False)
class ControlFunctionSystem:
    """The stacked estimating equations of OP/LP, with their data fixed at the estimate.

    Stacked parameters, in order: the first stage ``γ = (β_F, γ_c, γ_B)`` (``reg`` columns;
    the polynomial in the better-conditioned basis ``B T``), the exit model ``α`` (exit
    correction only, on the same lagged basis), the second-stage coefficients ``θ`` and the
    law-of-motion coefficients ``g`` on the basis in ``v = (ω_{t−1} − centre) / spread``.
    :meth:`evaluate` gives the per-row moment contributions of every stage and the analytic
    Jacobian of their sums at any parameter vector (the tests compare it with finite
    differences); :meth:`stages` assembles the stacked system at the estimate.
    """

    reg: (
        np.ndarray
    )  # first-stage regressors (n1, p1): [x_F, c, B T] on the working rows
    y: np.ndarray
    n_f: int
    n_c: int
    n_lead: int
    net: bool  # controls shift output (True) or stay in φ and ω (False)
    xf: np.ndarray
    xs: np.ndarray
    xc: np.ndarray
    cur: np.ndarray  # second-stage rows (working-row positions) and their t−1 rows
    prev: np.ndarray
    firm: np.ndarray  # firm code of each working row
    n_firms: int
    exit: np.ndarray | None  # exit indicator on the second-stage rows (exit correction)
    survival_model: str
    z: np.ndarray | None  # gross output: instruments and weight
    w: np.ndarray | None
    centre: float
    spread: float
    markov_degree: int
    sizes: tuple[int, int, int, int, int]  # (p1, n_alpha, n_theta, n_g, n_G)
    estimate: np.ndarray = field(repr=False)
    positions: tuple[int, ...] = ()  # stacked position of each reported parameter
    # raw production-term coefficients = a_map @ the system's (centred) ones
    a_map: np.ndarray = field(default_factory=lambda: np.eye(0), repr=False)

    @property
    def stage_sizes(self) -> tuple[int, ...]:
        """Parameters of each stage (first stage, [exit model], second stage)."""
        p1, n_a, n_t, n_g, n_gm = self.sizes
        return (p1, *((n_a,) if self.exit is not None else ()), n_t + n_g + n_gm)

    def split(self, params: np.ndarray) -> list[np.ndarray]:
        """``[γ, α, θ, g, vec(G)]`` from a stacked parameter vector."""
        cut = np.cumsum(self.sizes)[:-1]
        return np.split(np.asarray(params, dtype=np.float64), cut)

    def evaluate(
        self, params: np.ndarray
    ) -> tuple[list[np.ndarray], list[list[np.ndarray | None]]]:
        """Per-row moment contributions of each stage and the Jacobian blocks of their sums.

        Returns ``(moments, jacobian)``: ``moments[s]`` (n_firms, m_s) holds the moment
        contributions of stage ``s`` summed within each firm (their total is
        ``moments[s].sum(axis=0)``); ``jacobian[s][r]`` is the derivative of the total with
        respect to the parameters of stage ``r`` (None where zero), stages as in
        :meth:`stages`.

        Every second-stage moment depends on the first-stage and exit parameters only
        through four per-row quantities: ``ω``, ``ω_{t−1}``, ``ỹ = y − x_F β_F (− c γ_c) −
        x_S θ`` and ``P``. The kernel :func:`tfp._kernels.stacked_nb.cf_second_stage_nb`
        (one pass over the second-stage rows) writes each moment's per-row *left factors*
        on those quantities, scattered to the rows they come from, so the first-stage
        blocks are ``Σ_i L_i ⊗ ∂q_i/∂π``: one product with the regressors each.
        """
        gam, alpha, theta, g, g_mat = self.split(params)
        reg, cur, prev = self.reg, self.cur, self.prev
        n_f, n_c, n_lead = self.n_f, self.n_c, self.n_lead
        n1 = reg.shape[0]
        n_g = self.n_firms
        fitted = reg @ gam
        e1 = self.y - fitted
        gamma_c = gam[n_f : n_f + n_c]
        shift = self.xc @ gamma_c if self.net else np.zeros(n1)
        phi = fitted - shift
        y_net = self.y - shift
        beta_f = gam[:n_f]
        xs, xs_l, xf = self.xs[cur], self.xs[prev], self.xf[cur]
        n2 = cur.size
        moments: list[np.ndarray] = [np.empty(0)]  # the first stage's, filled below
        jacobian: list[list[np.ndarray | None]] = [[-(reg.T @ reg)]]

        exit_on = self.exit is not None
        u_cols: list[np.ndarray] = []
        dens = np.zeros(n2)
        if exit_on:
            assert self.exit is not None
            basis = reg[:, n_lead:]
            prob, dens, lam, hw = _probit_parts(
                self.exit, (basis @ alpha)[prev], self.survival_model
            )
            moments.append(firm_weighted_sums(lam, prev, self.firm, n_g, basis))
            hw_rows = np.zeros(n1)
            hw_rows[prev] = hw
            jacobian.append([None, -((basis * hw_rows[:, None]).T @ basis)])
            u_cols.append(prob)

        omega = phi[cur] - xf @ beta_f - xs @ theta
        omega_l = phi[prev] - self.xf[prev] @ beta_f - xs_l @ theta
        v = (omega_l - self.centre) / self.spread
        exps = np.ascontiguousarray(
            exponent_table(1 + int(exit_on), self.markov_degree), dtype=np.int64
        )
        n_t, n_h = theta.shape[0], exps.shape[0]
        # (G absent: only while build_system solves for it)
        gm = g_mat.reshape(n_h, n_t) if g_mat.size else np.zeros((n_h, n_t))
        z = self.z if self.z is not None else np.empty((n2, 0))
        mom2, scat_w, scat_y, scat_p, j_theta, j_g, sum_hxi, hh = cf_second_stage_nb(
            np.ascontiguousarray(v),
            np.ascontiguousarray(u_cols[0]) if exit_on else np.zeros(n2),
            exps,
            float(self.spread),
            np.ascontiguousarray(g),
            np.ascontiguousarray(gm),
            np.ascontiguousarray(omega),
            np.ascontiguousarray(y_net[cur] - xf @ beta_f - xs @ theta),
            np.ascontiguousarray(xs),
            np.ascontiguousarray(xs_l),
            np.ascontiguousarray(z),
            np.ascontiguousarray(dens),
            np.ascontiguousarray(cur, dtype=np.int64),
            np.ascontiguousarray(prev, dtype=np.int64),
            np.ascontiguousarray(self.firm[cur], dtype=np.int64),
            n1,
            self.n_firms,
        )
        moments.append(mom2)
        # first-stage parameters: ω and ω_{t−1} load on (controls if in φ, polynomial),
        # ỹ on (free terms, controls if netted), P on the lagged polynomial; one pass over
        # reg gives these and the first stage's own per-firm moment sums
        n_m = scat_w.shape[1]
        sums1, cross = first_stage_sums_nb(
            reg,
            e1,
            np.asarray(self.firm, dtype=np.int64),
            n_g,
            np.hstack([scat_w, scat_y, *((scat_p,) if exit_on else ())]),
        )
        moments[0] = sums1
        j_w, j_y = cross[:n_m], cross[n_m : 2 * n_m]
        j_gamma = np.zeros((j_w.shape[0], reg.shape[1]))
        j_gamma[:, n_lead:] = j_w[:, n_lead:]
        j_gamma[:, :n_f] = -j_y[:, :n_f]
        cs = slice(n_f, n_f + n_c)
        j_gamma[:, cs] = -j_y[:, cs] if self.net else j_w[:, cs]
        stage2: list[np.ndarray | None] = [j_gamma]
        if exit_on:  # ∂P/∂α = f(X_e α) X_e, X_e = the polynomial at t−1
            stage2.append(cross[2 * n_m :, n_lead:])
        own = [j_theta, j_g]
        if (
            self.z is None
        ):  # F and M are linear in G; the law of motion does not involve it
            eye_t = np.eye(n_t)
            own.append(
                np.vstack(
                    [
                        -np.kron(sum_hxi[None, :], eye_t),
                        np.zeros((n_h, n_h * n_t)),
                        -np.kron(hh, eye_t),
                    ]
                )
            )
        stage2.append(np.hstack(own))
        jacobian.append(stage2)
        return moments, jacobian

    def stages(self) -> list[StackedStage]:
        """The stacked system at the estimate, with per-firm moment sums and selections."""
        moments, jacobian = self.evaluate(self.estimate)
        select = None
        if self.z is not None:
            # gross output: θ minimises (Σ Zξ)' W (Σ Zξ) with g concentrated out
            n_theta = self.sizes[2]
            q = self.z.shape[1]
            j2 = jacobian[-1][-1]
            assert j2 is not None and self.w is not None
            select = concentrated_gmm_selection(
                j2[:q, :n_theta],
                j2[:q, n_theta:],
                j2[q:, :n_theta],
                j2[q:, n_theta:],
                self.w,
            )
        names = ["first stage", "exit model", "second stage"]
        if self.exit is None:
            names.remove("exit model")
        return [
            StackedStage(
                names[s],
                moments[s],
                jacobian[s],
                select if s == len(moments) - 1 else None,
            )
            for s in range(len(moments))
        ]


def build_system(
    panel: Panel,
    spec: ProductionSpec,
    options: _ControlFunctionOptions,
    fit: Fit,
    *,
    method: str,
) -> ControlFunctionSystem:
    """The stacked system of an OP/LP estimate ``fit`` (of ``panel``, ``spec``, ``options``)."""
    _check_roles(spec, options, method)
    work, rows, proxy_w = _usable_rows(panel, spec, options)
    des = _first_stage_design(work, spec, options, proxy_w)
    details = fit.details
    assert isinstance(details, ControlFunction)
    n_f, n_c = des.xf.shape[1], des.xc.shape[1]
    coef = np.asarray(fit.first_stage["coef"], dtype=np.float64)
    net = not details.controls_in_phi
    lag = work.lag_index(1)
    cur = np.flatnonzero(lag >= 0)
    prev = lag[cur]
    # the estimator's own parametrisation: production terms of inputs centred at
    # des.mu (raw coefficients = a_map @ centred ones; a_map = I without unit_invariant)
    n_terms = len(spec.terms)
    beta_c = np.linalg.solve(
        des.a_map, np.asarray(fit.params, dtype=np.float64)[:n_terms]
    )
    theta = beta_c[list(des.s_index)]
    alpha = np.empty(0)
    exit_cur = None
    if options.exit_correction:
        exit_vec, _ = _exit_indicator(panel, spec, options, rows)
        exit_cur = np.ascontiguousarray(exit_vec[cur])
        alpha = np.asarray(details.survival_coef, dtype=np.float64)
    z = w = None
    if spec.flexible:
        z, w = _gross_output_instruments(work, spec, des.s_index, cur, prev)
    # the law of motion at the estimate: its centre and spread (fixed), its coefficients
    fitted = des.reg @ coef
    phi = fitted - (des.xc @ coef[n_f : n_f + n_c] if net else 0.0)
    beta_f = coef[:n_f]
    omega_l = phi[prev] - des.xf[prev] @ beta_f - des.xs[prev] @ theta
    omega = phi[cur] - des.xf[cur] @ beta_f - des.xs[cur] @ theta
    centre, spread = float(omega_l.mean()), float(omega_l.std())
    u = [(omega_l - centre) / spread]
    if exit_cur is not None:
        eta = des.reg[prev, des.n_lead :] @ alpha
        u.append(_probit_parts(exit_cur, eta, options.survival_model)[0])
    exps = exponent_table(len(u), options.markov_degree)
    hmat = poly_derivative_basis(np.column_stack(u), exps, ())
    g = np.linalg.solve(hmat.T @ hmat, hmat.T @ omega)
    # the polynomial in a well-conditioned basis B T: the same φ and exit model
    # (coefficients T^{-1}γ_B and T^{-1}α), while raw monomials of degree 3 make B'B too
    # ill-conditioned to solve the stacked system accurately
    n_lead = des.n_lead
    t_b = orthonormalizing_map(des.reg[:, n_lead:])
    reg = des.reg  # built for this system alone: transformed in place
    reg[:, n_lead:] = reg[:, n_lead:] @ t_b
    coef = np.concatenate([coef[:n_lead], np.linalg.solve(t_b, coef[n_lead:])])
    if alpha.size:
        alpha = np.linalg.solve(t_b, alpha)
    p1 = reg.shape[1]
    sizes = (p1, alpha.shape[0], theta.shape[0], g.shape[0], 0)
    off2 = p1 + alpha.shape[0]
    pos = [0] * len(spec.terms)
    for k, i in enumerate(des.f_index):
        pos[i] = k
    for k, i in enumerate(des.s_index):
        pos[i] = off2 + k
    pos.extend(n_f + j for j in range(n_c))
    system = ControlFunctionSystem(
        reg=reg,
        y=np.asarray(work[spec.output], dtype=np.float64),
        n_f=n_f,
        n_c=n_c,
        n_lead=des.n_lead,
        net=net,
        xf=des.xf,
        xs=des.xs,
        xc=des.xc,
        cur=cur,
        prev=prev,
        firm=np.asarray(work.firm),
        n_firms=work.n_firms,
        exit=exit_cur,
        survival_model=options.survival_model,
        z=z,
        w=w,
        centre=centre,
        spread=spread,
        markov_degree=options.markov_degree,
        sizes=sizes,
        estimate=np.concatenate([coef, alpha, theta, g]),
        positions=tuple(pos),
        a_map=des.a_map,
    )
    if z is None:  # value added: G = dg/dθ solves its equations (M = 0) at the estimate
        # G = (H'H)^{-1} Σ [H ∂r/∂θ' − r ∂H/∂ω_{t−1} x_{S,t−1}'], ∂r/∂θ = −x_S + h_ω x_{S,t−1}
        h_v = poly_derivative_basis(np.column_stack(u), exps, (0,)) / spread
        xs_l = des.xs[prev]
        d_theta = -des.xs[cur] + (h_v @ g)[:, None] * xs_l
        r = omega - hmat @ g
        g_mat = np.linalg.solve(
            hmat.T @ hmat, hmat.T @ d_theta - (h_v * r[:, None]).T @ xs_l
        )
        system = dataclasses.replace(
            system,
            sizes=(*sizes[:4], g_mat.size),
            estimate=np.concatenate([system.estimate, g_mat.reshape(-1)]),
        )
    return system


def analytic_covariance(
    panel: Panel,
    spec: ProductionSpec,
    options: _ControlFunctionOptions,
    fit: Fit,
    *,
    method: str | None = None,
) -> ReportedCovariance:
    """Firm-clustered covariance of ``fit.params`` from the stacked estimating equations.

    Parameters
    ----------
    panel, spec, options
        As given to :func:`~tfp.estimators.control_function.fit_op` / ``fit_lp``.
    fit : Fit
        Their result on the same inputs.
    method : {'op', 'lp'}, optional
        The method (named in error messages); by default read from the options' class.

    Returns
    -------
    ReportedCovariance

    Raises
    ------
    IdentificationError
        The estimating equations are singular at the estimate.
    """
    if method is None:
        method = "op" if isinstance(options, OPOptions) else "lp"
    system = build_system(panel, spec, options, fit, method=method)
    reported = ReportedCovariance.take(
        stacked_covariance(system.stages()), system.positions
    )
    # centred production-term coefficients -> raw ones (the controls are unchanged)
    t = np.eye(len(system.positions))
    n_terms = system.a_map.shape[0]
    t[:n_terms, :n_terms] = system.a_map
    return reported.mapped(t)
