"""Analytic covariance of Gandhi, Navarro & Rivers (2020): the stacked estimating equations.

GNR's reported parameters are mean output elasticities, smooth functions of the share
regression, of ``E`` and of the integration constant. Every step is a block of estimating
equations (GNR 2020, section 5 and online appendix; Ackerberg, Chen & Hahn 2012 for the
series treated as parametric), stacked and turned into the firm-clustered sandwich by
:func:`tfp.numerics.stacked.stacked_covariance`. With ``x`` all inputs (flexible ``m`` last),
``P(x)`` the share polynomial on standardised inputs (coefficients ``u``; ``γ' = T u`` on
the raw monomials) and ``D = P u``:

1. **Share regression** (every row with a share), ``u``: the nonlinear least squares
   first-order condition ``Σ (P/D) (s − ln D) = 0``.
2. **Mean of the shock**, ``E``: ``Σ (exp(ε) − E) = 0`` with ``ε = ln D − s``.
3. **Integration constant and law of motion** (rows with a lag), ``(c, b)``:
   ``𝒴 = y − ε − m · Σ_j (γ_j/E) x^{e_j}/(a_j + 1)``, ``ω = 𝒴 − Z c``,
   ``v = (ω_{t−1} − centre)/spread`` (fixed at the estimate), ``ξ = ω − V(v) b`` with the
   Markov powers ``V``; moments ``Σ Z ξ`` and ``Σ V ξ``. The estimator minimises
   ``(Σ Zξ)'(Σ Zξ)`` with ``b`` concentrated out; the system is just identified, so at an
   exact root the selection ``Γ'`` (:func:`~tfp.numerics.stacked.concentrated_gmm_selection`
   with ``W = I``) does not matter.
4. **Mean elasticities** (the reported parameters, over the rows the estimator averages),
   ``μ``: ``Σ (e(x; u, E, c) − μ) = 0`` with ``e_m = D/E`` and ``e_j = ∂/∂x_j`` of the
   integral plus ``C``. This stage carries the sampling of the inputs into the standard
   errors, as the bootstrap does.

Every Jacobian block is analytic (derivatives of the polynomials through
:func:`tfp.numerics.poly.poly_derivative_basis`).

References
----------
Gandhi, A., Navarro, S., & Rivers, D. (2020). On the identification of gross output
production functions. *Journal of Political Economy*, 128(8), 2973–3016.
https://doi.org/10.1086/707736

Ackerberg, D., Chen, X., & Hahn, J. (2012). A practical asymptotic variance estimator for
two-step semiparametric estimators. *Review of Economics and Statistics*, 94(2), 481–498.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tfp._kernels.poly_nb import poly_basis_nb
from tfp.estimators.fit import Fit
from tfp.estimators.gnr import GNR, _check, _lags, _share, _standardised_to_raw
from tfp.numerics.poly import exponent_table, poly_basis, poly_derivative_basis
from tfp.numerics.stacked import (
    ReportedCovariance,
    StackedStage,
    concentrated_gmm_selection,
    firm_sums,
    firm_weighted_sums,
    stacked_covariance,
)
from tfp.options.gnr import GNROptions
from tfp.panel import Panel
from tfp.spec import ProductionSpec

__all__ = ["GNRSystem", "analytic_covariance", "build_system"]


@dataclass(frozen=True, eq=False)
class GNRSystem:
    """The stacked estimating equations of GNR, with their data fixed at the estimate.

    Stacked parameters, in order: ``u`` (share polynomial on standardised inputs), ``E``,
    ``c`` (integration constant on the monomials of the fixed inputs orthonormalised on the
    second-stage rows), ``b`` (law of motion on ``v``), ``μ`` (mean elasticities, the
    reported parameters).
    """

    p_std: np.ndarray  # share polynomial on standardised inputs (n1, m)
    q_int: np.ndarray  # integral per unit of u: m · (P_raw/(a+1)) T  (n1, m)
    q_el: tuple[np.ndarray, ...]  # same for the derivative in each fixed input
    dz: tuple[np.ndarray, ...]  # derivative of Z in each fixed input (n1, q)
    z: np.ndarray  # monomials of the fixed inputs, orthonormalised (n1, q)
    s: np.ndarray
    y: np.ndarray
    cur: np.ndarray  # rows with a lag and their lag rows
    prev: np.ndarray
    avg: np.ndarray  # rows the mean elasticities average over
    centre: float
    spread: float
    markov_degree: int
    firm: np.ndarray
    n_firms: int
    sizes: tuple[int, int, int, int, int]  # (m, 1, q, degree + 1, n_inputs)
    estimate: np.ndarray = field(repr=False)

    @property
    def stage_sizes(self) -> tuple[int, ...]:
        """Parameters of each stage (share regression, E, second stage, elasticities)."""
        m, one, q, h, k = self.sizes
        return (m, one, q + h, k)

    @property
    def positions(self) -> tuple[int, ...]:
        """Stacked positions of the reported parameters (the mean elasticities)."""
        k = int(sum(self.sizes[:4]))
        return tuple(range(k, k + self.sizes[4]))

    def evaluate(
        self, params: np.ndarray
    ) -> tuple[list[np.ndarray], list[list[np.ndarray | None]]]:
        """Per-firm moment sums of each stage and the Jacobian blocks of their totals (see
        :meth:`tfp.estimators.control_function_se.ControlFunctionSystem.evaluate`)."""
        cut = np.cumsum(self.sizes)[:-1]
        u, e_arr, c, b, mu = np.split(np.asarray(params, dtype=np.float64), cut)
        big_e = float(e_arr[0])
        p, cur, prev = self.p_std, self.cur, self.prev
        n1 = p.shape[0]
        d = p @ u
        r = self.s - np.log(d)  # = −ε
        eps = -r
        pd_ = p / d[:, None]
        all_rows = np.arange(n1)
        moments: list[np.ndarray] = [
            firm_weighted_sums(r / d, all_rows, self.firm, self.n_firms, p)
        ]
        jacobian: list[list[np.ndarray | None]] = [
            [-((pd_ * (1.0 + r)[:, None]).T @ pd_)]
        ]
        ee = np.exp(eps)
        moments.append(firm_sums((ee - big_e)[:, None], self.firm, self.n_firms))
        jacobian.append(
            [(ee[:, None] * pd_).sum(axis=0)[None, :], np.array([[-n1]], float)]
        )

        integral = self.q_int @ u / big_e
        big_y = self.y - eps - integral
        dy_u = -pd_ - self.q_int / big_e  # ∂𝒴/∂u
        dy_e = integral / big_e  # ∂𝒴/∂E
        zt, zl = self.z[cur], self.z[prev]
        omega = big_y[cur] - zt @ c
        omega_l = big_y[prev] - zl @ c
        v = (omega_l - self.centre) / self.spread
        vmat = np.vander(
            v, self.markov_degree + 1, increasing=True
        )  # products, not pow()
        v_w = np.zeros_like(vmat)  # ∂V/∂ω_{t−1}
        v_w[:, 1:] = vmat[:, :-1] * np.arange(1, self.markov_degree + 1) / self.spread
        hp = v_w @ b
        xi = omega - vmat @ b
        lw = [dy_u[prev], dy_e[prev][:, None], -zl]  # ∂ω_{t−1}/∂(u, E, c)
        dxi = [
            dy_u[cur] - hp[:, None] * lw[0],
            dy_e[cur][:, None] - hp[:, None] * lw[1],
            -zt - hp[:, None] * lw[2],
        ]
        vx = v_w * xi[:, None]
        j_z = [zt.T @ dx for dx in dxi] + [-(zt.T @ vmat)]
        j_v = [vmat.T @ dx + vx.T @ l_ for dx, l_ in zip(dxi, lw, strict=True)]
        j_v.append(-(vmat.T @ vmat))
        moments.append(
            firm_sums(
                np.hstack([zt * xi[:, None], vmat * xi[:, None]]),
                self.firm[cur],
                self.n_firms,
            )
        )
        jac3 = [np.vstack([j_z[i], j_v[i]]) for i in range(4)]
        jacobian.append([jac3[0], jac3[1], np.hstack([jac3[2], jac3[3]])])

        # mean elasticities over the averaged rows
        rows = self.avg
        cols, d_u, d_e, d_c = [], [], [], []
        for qj, dzj in zip(self.q_el, self.dz, strict=True):
            el_int = qj[rows] @ u / big_e
            cols.append(el_int + dzj[rows] @ c)
            d_u.append(qj[rows].sum(axis=0) / big_e)
            d_e.append(-el_int.sum() / big_e)
            d_c.append(dzj[rows].sum(axis=0))
        flex = d[rows] / big_e
        cols.append(flex)
        d_u.append(p[rows].sum(axis=0) / big_e)
        d_e.append(-flex.sum() / big_e)
        d_c.append(np.zeros(c.shape[0]))
        el = np.column_stack(cols)
        moments.append(firm_sums(el - mu[None, :], self.firm[rows], self.n_firms))
        n_in = el.shape[1]
        jacobian.append(
            [
                np.vstack(d_u),
                np.array(d_e)[:, None],
                np.hstack([np.vstack(d_c), np.zeros((n_in, b.shape[0]))]),
                -float(rows.shape[0]) * np.eye(n_in),
            ]
        )
        return moments, jacobian

    def stages(self) -> list[StackedStage]:
        """The stacked system at the estimate, with per-firm moment sums and selections."""
        moments, jacobian = self.evaluate(self.estimate)
        q = self.sizes[2]
        j3 = jacobian[2][2]
        assert j3 is not None
        select = concentrated_gmm_selection(
            j3[:q, :q], j3[:q, q:], j3[q:, :q], j3[q:, q:], np.eye(q)
        )
        names = [
            "share regression",
            "mean of exp(shock)",
            "second stage",
            "elasticities",
        ]
        return [
            StackedStage(names[s], moments[s], jacobian[s], select if s == 2 else None)
            for s in range(4)
        ]


def build_system(
    panel: Panel, spec: ProductionSpec, options: GNROptions, fit: Fit
) -> GNRSystem:
    """The stacked system of a GNR estimate ``fit`` (of ``panel``, ``spec``, ``options``)."""
    fixed, flex = _check(spec, options)
    inputs = (*fixed, flex)
    work, _, s, _ = _share(panel, spec, options)
    details = fit.details
    assert isinstance(details, GNR)
    x = work.matrix(inputs)
    xf = np.ascontiguousarray(x[:, : len(fixed)])
    y = np.asarray(work[spec.output], dtype=np.float64)
    exps = np.ascontiguousarray(
        exponent_table(x.shape[1], options.share_degree, include_constant=True)
    )
    mu_x, sd_x = x.mean(axis=0), x.std(axis=0)
    p_std = poly_basis_nb(np.ascontiguousarray((x - mu_x) / sd_x), exps)
    m = exps.shape[0]
    t_map = np.column_stack(
        [_standardised_to_raw(np.eye(m)[k], exps, mu_x, sd_x) for k in range(m)]
    )
    stage1 = details.stage1
    u = np.linalg.solve(t_map, np.asarray(stage1["coef"], dtype=np.float64))
    big_e = float(stage1["E"])
    a_flex = exps[:, -1].astype(np.float64) + 1.0
    x_m = x[:, -1]

    def per_u(basis: np.ndarray) -> np.ndarray:
        return np.asarray(x_m[:, None] * ((basis / a_flex[None, :]) @ t_map))

    q_int = per_u(poly_basis_nb(x, exps))
    q_el = tuple(per_u(poly_derivative_basis(x, exps, (j,))) for j in range(len(fixed)))
    deg_c = int(options.integral_degree or options.share_degree)
    z_raw = poly_basis(xf, deg_c, include_constant=False)
    z_exps = exponent_table(len(fixed), deg_c, include_constant=False)
    lag, _ = _lags(work, options)
    cur = np.flatnonzero(lag >= 0)
    prev = lag[cur]
    # as the estimator: C's coefficients in the basis orthonormalised on the second-stage
    # rows, c_raw = T c (the same function of the data; raw monomials of degree 3 are
    # too collinear to solve the stacked system accurately)
    zc = z_raw[cur] - z_raw[cur].mean(axis=0)
    t_c = np.linalg.inv(np.linalg.qr(zc, mode="r") / np.sqrt(cur.shape[0]))
    z = z_raw @ t_c
    dz = tuple(poly_derivative_basis(xf, z_exps, (j,)) @ t_c for j in range(len(fixed)))
    c = np.linalg.solve(t_c, np.asarray(details.integral_coef, dtype=np.float64))
    # the law of motion at the estimate (fixed centre and spread: same span as ω_{t−1})
    eps = np.log(p_std @ u) - s
    big_y = y - eps - q_int @ u / big_e
    omega_l = big_y[prev] - z[prev] @ c
    centre, spread = float(omega_l.mean()), float(omega_l.std())
    vmat = np.vander(
        (omega_l - centre) / spread, options.markov_degree + 1, increasing=True
    )
    b = np.linalg.solve(vmat.T @ vmat, vmat.T @ (big_y[cur] - z[cur] @ c))
    avg = cur if options.average == "sample" else np.arange(work.nobs)
    mu = np.asarray(fit.params, dtype=np.float64)
    return GNRSystem(
        p_std=p_std,
        q_int=q_int,
        q_el=q_el,
        dz=dz,
        z=z,
        s=s,
        y=y,
        cur=cur,
        prev=prev,
        avg=avg,
        centre=centre,
        spread=spread,
        markov_degree=options.markov_degree,
        firm=np.asarray(work.firm),
        n_firms=work.n_firms,
        sizes=(m, 1, c.shape[0], b.shape[0], mu.shape[0]),
        estimate=np.concatenate([u, [big_e], c, b, mu]),
    )


def analytic_covariance(
    panel: Panel, spec: ProductionSpec, options: GNROptions, fit: Fit
) -> ReportedCovariance:
    """Firm-clustered covariance of ``fit.params`` (mean elasticities) of a GNR fit.

    Raises
    ------
    IdentificationError
        A stage of the stacked system is singular at the estimate.
    """
    system = build_system(panel, spec, options, fit)
    return ReportedCovariance.take(
        stacked_covariance(system.stages()), system.positions
    )
