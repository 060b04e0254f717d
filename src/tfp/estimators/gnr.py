"""Gandhi, Navarro and Rivers (2020) gross-output production functions (``method="gnr"``).

The estimator has two stages.

1. **Share regression.** The log revenue share of the flexible input ``s`` satisfies
   ``s = ln D^E(x) - ε`` where ``x`` are all inputs, ``D^E`` a polynomial (with constant) of
   total degree ``share_degree`` and ``ε`` the output shock. Nonlinear least squares
   (Gauss-Newton with step halving) gives ``D^E``; with ``E = mean(exp(ε))`` the flexible
   input's output elasticity is ``D^E(x) / E`` (GNR eqs. 11-14, 21).
2. **Integration constant and Markov law.** Integrating the elasticity over the flexible
   input gives ``Y = y - ε - ∫ D^E/E dm = C(x_fixed) + ω`` (GNR eq. 16). ``C`` is a
   polynomial of the fixed inputs without constant, ``ω_t = h(ω_{t-1}) + ξ_t`` with ``h`` a
   polynomial, and ``E[ξ_t · Z_t] = 0`` for the monomials ``Z`` of ``C``. The identity-weighted
   criterion ``m'm``, ``m = Z'ξ/N``, is minimised from several starts.

Elasticities of the fixed inputs are the derivatives of ``∫ D^E/E dm + C``; all elasticities
are per observation.
"""

from __future__ import annotations

import time as _time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from math import comb
from typing import Any

import numpy as np
from scipy.optimize import OptimizeResult

from tfp._frozen import FrozenDict
from tfp._kernels.bfgs_nb import markov_bfgs_nb
from tfp._kernels.markov_nb import STATUS_OK, markov_eval_nb
from tfp._kernels.poly_nb import poly_basis_nb
from tfp.estimators.fit import Details, Fit, identification_wanted
from tfp.exceptions import ConvergenceWarning, IdentificationError, SpecificationError
from tfp.numerics.gauss_newton import PolishResult, levenberg_marquardt
from tfp.numerics.identification import (
    IdentificationStats,
    Precision,
    criterion_precision,
    mean_elasticity_jacobian,
)
from tfp.numerics.linalg import check_rank, r_checked
from tfp.numerics.markov_gmm import RCOND_SINGULAR, bfgs_result
from tfp.numerics.optimize import (
    SCREEN_NOISE,
    Convergence,
    LocalMinimum,
    minimize_multistart,
    near_minima,
    sobol_starts,
)
from tfp.numerics.poly import exponent_table, poly_basis, poly_names
from tfp.options._base import check_options
from tfp.options.gnr import GNROptions
from tfp.panel import Panel, lag_drops
from tfp.spec import ProductionSpec

__all__ = ["GNR", "fit", "gnr_criterion", "share_regression"]

# Step halvings tried in one Gauss-Newton iteration before the share regression stops.
_MAX_HALVINGS = 40

# Seed of the Sobol start set: fixed, so that the estimator is deterministic.
_SOBOL_SEED = 0

#: Gradient-based searches stop at gradient sqrt(1e-10) = 1e-5 and hand over to the
#: Levenberg-Marquardt polish, which takes the (just-identified) root to the rounding floor
#: in a few evaluations: BFGS's path, and so the minimum each start reaches, is unchanged up
#: to that point; its last ~35 % of evaluations (gnr_sim_500) are spent there otherwise.
_SEARCH_FTOL = 1e-10


@dataclass(frozen=True)
class ShareRegression:
    """Result of the share regression (GNR first stage), arrays in the rows given.

    Attributes
    ----------
    coef : ndarray
        Coefficients ``γ'`` of ``D^E`` on the raw monomials (constant first).
    exponents : ndarray of int64, shape (len(coef), n_inputs)
        Exponents of each monomial; the last column is the flexible input.
    eps : ndarray
        Output shock ``ε = ln D^E - s``.
    big_e : float
        ``E = mean(exp(ε))``.
    d_e : ndarray
        ``D^E(x)`` per row; the flexible elasticity is ``d_e / big_e``.
    ssr : float
        Sum of squared residuals.
    r2 : float
        ``1 - SSR / TSS`` of the log share.
    n_iter : int
        Gauss-Newton iterations.
    converged : bool
        The relative change of the SSR fell below the tolerance.
    """

    coef: np.ndarray
    exponents: np.ndarray
    eps: np.ndarray
    big_e: float
    d_e: np.ndarray
    ssr: float
    r2: float
    n_iter: int
    converged: bool


def share_regression(
    x: np.ndarray,
    s: np.ndarray,
    degree: int,
    *,
    maxiter: int = 200,
    tol: float = 1e-10,
    names: Sequence[str] | None = None,
) -> ShareRegression:
    """Fit ``s = ln(P(x) γ) + u`` by Gauss-Newton, ``P`` all monomials of ``x`` up to ``degree``.

    Parameters
    ----------
    x : ndarray, shape (n, p)
        Log inputs; the flexible input is the last column.
    s : ndarray, shape (n,)
        Log revenue share of the flexible input.
    degree : int
        Total degree of the polynomial.
    maxiter : int
        Iterations allowed.
    tol : float
        Stop when the relative decrease of the SSR is below ``tol``.
    names : sequence of str, optional
        Column names of ``x``, used in error messages.

    Returns
    -------
    ShareRegression

    Raises
    ------
    IdentificationError
        Too few rows, collinear monomials, or no start with a positive ``D`` everywhere.

    References
    ----------
    Gandhi, A., Navarro, S. and Rivers, D. (2020). On the identification of gross output
    production functions. *Journal of Political Economy* 128(8), 2973-3016, eq. (21).
    https://doi.org/10.1086/707736
    """
    x = np.ascontiguousarray(x, dtype=np.float64)
    s = np.asarray(s, dtype=np.float64)
    exps = np.ascontiguousarray(
        exponent_table(x.shape[1], degree, include_constant=True)
    )
    # Work on standardised inputs (same polynomial space, far better conditioned); the
    # coefficients are mapped back to the raw monomials exactly at the end.
    mu = x.mean(axis=0)
    sd = x.std(axis=0)
    if np.any(~(sd > 0)):
        j = int(np.flatnonzero(~(sd > 0))[0])
        raise IdentificationError(
            "the input does not vary in the share regression's sample",
            column=names[j] if names is not None else f"x[:, {j}]",
            fix="drop constant inputs from the specification",
        )
    p_raw = poly_basis_nb(np.ascontiguousarray((x - mu) / sd), exps)
    n, m = p_raw.shape
    if n <= m:
        raise IdentificationError(
            f"the share regression has {m} polynomial terms but only {n} rows",
            fix="use more data or a lower GNROptions.share_degree",
        )
    scale = np.maximum(p_raw.max(axis=0), -p_raw.min(axis=0))  # max |column|
    scale[scale == 0] = 1.0
    ps = p_raw / scale
    check_rank(
        ps,
        what="polynomial terms of the inputs in the share regression",
        fix="check for constant or duplicated inputs, or lower GNROptions.share_degree",
    )
    # start: least squares of the share in levels on the polynomial (D itself is linear)
    g = _ls(ps, np.exp(s))
    pred = ps @ g
    if np.min(pred) <= 0:
        g[0] += -np.min(pred) + 0.1 * float(
            np.mean(np.exp(s))
        )  # constant column: scale 1
        pred = ps @ g

    def ssr_at(gam: np.ndarray) -> tuple[float, np.ndarray]:
        d = ps @ gam
        if np.any(~(d > 0)):
            return float("inf"), d
        r = s - np.log(d)
        return float(r @ r), d

    ssr, pred = ssr_at(g)
    if not np.isfinite(ssr):
        raise IdentificationError(
            "no starting value gives a positive flexible-input elasticity on every row",
            fix="check the share column: it must be the log of the flexible input's revenue share",
        )
    converged = False
    it = 0
    for it in range(1, maxiter + 1):  # noqa: B007 - the count is reported
        r = s - np.log(pred)
        jac = ps / pred[:, None]
        delta = _ls(jac, r)
        step = 1.0
        for _ in range(_MAX_HALVINGS):
            new_ssr, new_pred = ssr_at(g + step * delta)
            if new_ssr <= ssr:
                break
            step *= 0.5
        else:
            converged = True  # no descent possible: at the minimum to machine precision
            break
        g = g + step * delta
        decrease = ssr - new_ssr
        ssr, pred = new_ssr, new_pred
        if decrease <= tol * max(ssr, 1e-300):
            converged = True
            break
    coef = _standardised_to_raw(g / scale, exps, mu, sd)
    d_e = pred
    eps = np.log(d_e) - s
    big_e = float(np.mean(np.exp(eps)))
    tss = float(np.sum((s - s.mean()) ** 2))
    return ShareRegression(
        coef=coef,
        exponents=exps,
        eps=eps,
        big_e=big_e,
        d_e=d_e,
        ssr=ssr,
        r2=1.0 - ssr / tss if tss > 0 else float("nan"),
        n_iter=it,
        converged=converged,
    )


def _ls(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Least squares through the Gram matrix of column-equilibrated ``a`` (full rank: checked
    once by the caller). Gauss-Newton solves one per step, and tall LAPACK QR calls are slow
    when cores are shared; the bases are built from standardised variables, so the normal
    equations are accurate."""
    gram = a.T @ a  # equilibrated after the product: no n x m temporary
    norm = np.sqrt(np.diag(gram)).copy()
    norm[norm == 0] = 1.0
    gram /= np.outer(norm, norm)
    return np.asarray(np.linalg.solve(gram, (a.T @ b) / norm) / norm, dtype=np.float64)


def _standardised_to_raw(
    coef: np.ndarray, exps: np.ndarray, mu: np.ndarray, sd: np.ndarray
) -> np.ndarray:
    """Coefficients on monomials of ``(x - mu) / sd`` → coefficients on monomials of ``x``."""
    index = {tuple(int(v) for v in e): i for i, e in enumerate(exps)}
    out = np.zeros(len(exps))
    for c, e in zip(coef, exps, strict=True):
        # expand prod_j ((x_j - mu_j) / sd_j)^{e_j} by the binomial theorem
        terms: dict[tuple[int, ...], float] = {(): c}
        for j, ej in enumerate(e):
            new: dict[tuple[int, ...], float] = {}
            for key, val in terms.items():
                for k in range(int(ej) + 1):
                    w = comb(int(ej), k) * (-mu[j]) ** (int(ej) - k) / sd[j] ** int(ej)
                    new[(*key, k)] = new.get((*key, k), 0.0) + val * w
            terms = new
        for key, val in terms.items():
            out[index[key]] += val
    return out


# ---- second stage -------------------------------------------------------------------------
def _moments(
    c: np.ndarray,
    zt: np.ndarray,
    z1: np.ndarray,
    yt: np.ndarray,
    y1: np.ndarray,
    degree: int,
    need_jac: bool,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Moments ``m = Z'ξ/N``, their Jacobian in ``c`` (if asked) and the Markov coefficients.

    One call of the fused kernel :func:`tfp._kernels.markov_nb.markov_eval_nb` with the law
    of motion in the standardised ``v = (w1 − mean) / sd`` (the same span as the powers of
    ``w1``, better conditioned), ``X = Z = Z_t``: ``ξ = w − P(P'P)⁻¹P'w`` and
    ``dξ = M_P dw − M_P (h'(w1) dw1) − P (P'P)⁻¹ dP'ξ`` with ``dw = −Z dc``,
    ``dw1 = −Z₁ dc``. Where ``P'P`` is singular the moments are ``inf``.
    """
    n, q = zt.shape
    status, _, m, jac, b = markov_eval_nb(
        yt,
        y1,
        zt,
        z1,
        np.empty((n, 0)),
        zt,
        np.eye(q),
        np.ascontiguousarray(c, dtype=np.float64),
        degree,
        True,
        RCOND_SINGULAR,
        need_jac,
    )
    if status != STATUS_OK:
        m = np.full(q, np.inf)
    return m, (jac if need_jac else None), b


def gnr_criterion(
    c: np.ndarray,
    zt: np.ndarray,
    z1: np.ndarray,
    yt: np.ndarray,
    y1: np.ndarray,
    degree: int,
) -> float:
    """GNR second-stage criterion ``m'm`` at integration-constant coefficients ``c``.

    Parameters
    ----------
    c : ndarray, shape (q,)
        Coefficients of ``C`` on the raw monomials of the fixed inputs.
    zt, z1 : ndarray, shape (n, q)
        Those monomials at ``t`` and at the firm's previous period.
    yt, y1 : ndarray, shape (n,)
        ``Y = y - ε - ∫ elasticity dm`` at ``t`` and at the previous period.
    degree : int
        Degree of the Markov polynomial.

    Returns
    -------
    float
        ``m'm`` with ``m = Z_t' ξ / n`` (gnrprod's ``constant_moments``).
    """
    c = np.asarray(c, dtype=np.float64).reshape(-1)
    if c.shape[0] != zt.shape[1]:
        raise SpecificationError(
            f"the GNR criterion takes {zt.shape[1]} integration-constant coefficients, "
            f"got {c.shape[0]}",
            fix="pass one coefficient per term in fit.objective_names",
        )
    m, _, _ = _moments(c, zt, z1, yt, y1, degree, need_jac=False)
    val = float(m @ m)
    return val if np.isfinite(val) else float("inf")


class _Scaled:
    """Criterion ``(Wm)'(Wm)`` in a parametrisation ``c = T u``, scaled by a constant."""

    def __init__(
        self,
        t: np.ndarray,
        scale: float,
        args: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int],
        weight: np.ndarray | None = None,
    ) -> None:
        self.t = t
        self.scale = scale
        self.args = args
        self.weight = weight  # moments used: weight @ m (None: m itself)
        self._last_u: np.ndarray | None = None
        self._last: tuple[float, np.ndarray] = (float("inf"), np.zeros(t.shape[1]))

    def _eval(self, u: np.ndarray) -> tuple[float, np.ndarray]:
        if self._last_u is not None and np.array_equal(u, self._last_u):
            return self._last
        c = self.t @ u
        try:
            with np.errstate(all="ignore"):
                m, jac, _ = _moments(c, *self.args, need_jac=True)
            assert jac is not None
            if self.weight is not None:
                m = self.weight @ m
                jac = self.weight @ jac
            f = float(m @ m) * self.scale
            grad = (2.0 * (jac.T @ m)) @ self.t * self.scale
        except np.linalg.LinAlgError:
            f, grad = float("inf"), np.zeros_like(u)
        if not np.isfinite(f) or not np.all(np.isfinite(grad)):
            f, grad = float("inf"), np.zeros_like(u)
        self._last_u = np.array(u, copy=True)
        self._last = (f, grad)
        return self._last

    def fun(self, u: np.ndarray) -> float:
        return self._eval(np.asarray(u, dtype=np.float64))[0]

    def moments(self, u: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """The moments whose sum of squares is :meth:`fun`, ``√scale · W m(Tu)``, and their
        Jacobian in ``u``: what a Levenberg–Marquardt polish needs."""
        m, jac, _ = _moments(self.t @ u, *self.args, need_jac=True)
        assert jac is not None
        if not np.all(np.isfinite(m)):
            return None
        if self.weight is not None:
            m = self.weight @ m
            jac = self.weight @ jac
        root = np.sqrt(self.scale)
        return root * m, root * (jac @ self.t)

    def bfgs(self, u0: np.ndarray, options: dict[str, Any]) -> OptimizeResult | None:
        """SciPy's BFGS on :meth:`fun`, compiled (:func:`markov_bfgs_nb`); None for the
        options of other methods."""
        if "gtol" not in options or "xrtol" not in options:
            return None
        zt, z1, yt, y1, degree = self.args
        q = zt.shape[1]
        return bfgs_result(
            markov_bfgs_nb(
                yt,
                y1,
                zt,
                z1,
                np.empty((zt.shape[0], 0)),
                zt,
                degree,
                True,
                RCOND_SINGULAR,
                np.eye(q) if self.weight is None else self.weight,
                True,
                self.t,
                self.scale,
                np.array(u0, dtype=np.float64),
                float(options["gtol"]),
                float(options["xrtol"]),
                int(options["maxiter"]),
            )
        )

    def polish(self, u: np.ndarray, gtol: float) -> PolishResult:
        """Levenberg–Marquardt from ``u`` on :meth:`fun` (quadratic at the root)."""
        return levenberg_marquardt(
            self.moments, np.asarray(u, dtype=np.float64), gtol=gtol
        )

    def jac(self, u: np.ndarray) -> np.ndarray:
        return self._eval(np.asarray(u, dtype=np.float64))[1]


def _prev_row_index(firm: np.ndarray) -> np.ndarray:
    """Previous row of the same firm whatever the gap in time (gnrprod's ``shift``)."""
    n = firm.shape[0]
    idx = np.arange(n, dtype=np.int64) - 1
    first = np.ones(n, dtype=bool)
    if n:
        first[1:] = firm[1:] != firm[:-1]
    idx[first] = -1
    return idx


def _derivative_basis(
    x: np.ndarray, exps: np.ndarray, coef: np.ndarray, j: int
) -> np.ndarray:
    """Derivative of ``Σ coef_k x^{exps_k}`` with respect to column ``j`` of ``x``."""
    e = np.array(exps, dtype=np.int64, copy=True)
    mult = e[:, j].astype(np.float64) * coef
    e[:, j] = np.maximum(e[:, j] - 1, 0)
    return poly_basis_nb(np.ascontiguousarray(x), np.ascontiguousarray(e)) @ mult


def _check(spec: ProductionSpec, options: GNROptions) -> tuple[tuple[str, ...], str]:
    check_options(options, GNROptions, "gnr")
    if len(spec.flexible) != 1:
        raise SpecificationError(
            f"GNR needs exactly one flexible input, got {len(spec.flexible)} ({spec.flexible})",
            fix="pass flexible='m' (one intermediate input; sum several into one aggregate)",
        )
    fixed = (*spec.free, *spec.state)
    if not fixed:
        raise SpecificationError(
            "GNR needs at least one fixed input (free or state)",
            fix="pass free=['l'] and/or state=['k']",
        )
    if spec.form != "cobb-douglas":
        raise SpecificationError(
            f"form={spec.form!r} does not apply to GNR, whose production function is a "
            "polynomial of degree GNROptions.share_degree + 1",
            fix="leave form='cobb-douglas' and set the flexibility with GNROptions.share_degree",
        )
    if spec.control or spec.exit or any(p != spec.flexible[0] for p in spec.proxy):
        raise SpecificationError(
            "GNR uses no proxy other than the flexible input, no controls and no exit indicator",
            fix="drop proxy/control/exit from the call",
        )
    if spec.share is None and options.nominal is None:
        raise SpecificationError(
            "GNR needs the flexible input's revenue share",
            fix="pass share='log_share_column' or GNROptions(nominal=('expenditure', 'revenue'))",
        )
    if spec.share is not None and options.nominal is not None:
        raise SpecificationError(
            "both share= and GNROptions.nominal name the revenue share",
            fix="pass only one of them",
        )
    return fixed, spec.flexible[0]


@dataclass(frozen=True, eq=False)
class GNR(Details):
    """GNR outputs (the per-observation elasticities, ω and ε are ``Fit.elasticities``,
    ``Fit.omega`` and ``Fit.epsilon``), arrays in panel order, NaN off the rows used.

    ``inputs``: fixed inputs then the flexible one; ``rts``: per-observation returns to
    scale; ``integral_terms``, ``integral_coef``: the monomials of ``C`` and their
    coefficients; ``markov_coef``: ``(const, ω, ω², …)`` of the law of motion, ``xi``: its
    residuals; ``big_y``: ``Y = y - ε - ∫ elasticity dm``; ``stage1``: the share regression
    (``ssr``, ``r2``, ``coef`` γ' of ``D^E``, ``gamma`` γ = γ'/E, ``E``, ``terms``,
    ``n_iter``, ``converged``, ``nobs``).
    """

    inputs: tuple[str, ...]
    rts: np.ndarray
    integral_terms: tuple[str, ...]
    integral_coef: np.ndarray
    markov_coef: np.ndarray
    xi: np.ndarray
    big_y: np.ndarray
    stage1: Mapping[str, Any]


def fit(panel: Panel, spec: ProductionSpec, options: GNROptions) -> Fit:
    """Estimate a gross-output production function by GNR (2020).

    Parameters
    ----------
    panel : Panel
        Validated panel carrying ``spec.columns()`` and ``options.columns()``.
    spec : ProductionSpec
        ``output`` (log gross output), fixed inputs ``free`` + ``state``, exactly one
        ``flexible`` input and ``share`` (log revenue share of the flexible input), unless
        ``options.nominal`` names the nominal expenditure and revenue columns.
    options : GNROptions
        Degrees, lag convention and the second-stage optimizer.

    Returns
    -------
    Fit
        ``params``: mean output elasticity of each input (names = ``spec.inputs``: fixed
        inputs, then the flexible input), averaged over the second-stage sample or, with
        ``options.average="all"``, over every row with a share. ``vcov`` is None (use the
        firm-cluster bootstrap). ``sample``: rows of the second stage (with a lag).
        ``phi``: ``y - ε``, output net of the shock. ``objective``/``objective_fn``: the
        second-stage criterion, ``objective_fn(c)`` taking the integration-constant
        coefficients on the raw monomials named in ``objective_names`` (not the
        elasticities: GNR's criterion is not a function of them). ``elasticities``,
        ``omega`` (log productivity, Markov constant included) and ``epsilon`` (the output
        shock) per observation; ``details``: :class:`GNR`.

    Raises
    ------
    SpecificationError
        Not exactly one flexible input, no fixed input, no share, or roles GNR does not use.
    IdentificationError
        Too few rows for the polynomials, collinear inputs, or a degenerate (e.g.
        bootstrap) sample.

    References
    ----------
    Gandhi, A., Navarro, S. and Rivers, D. (2020). On the identification of gross output
    production functions. *Journal of Political Economy* 128(8), 2973-3016.
    https://doi.org/10.1086/707736
    """
    t_start = _time.perf_counter()
    fixed, flex = _check(spec, options)
    inputs = (*fixed, flex)
    work, pos, s, dropped = _share(panel, spec, options)
    y = work[spec.output]
    x = work.matrix(inputs)
    xf = np.ascontiguousarray(x[:, : len(fixed)])
    st1 = share_regression(
        x, s, options.share_degree, maxiter=options.stage1_maxiter,
        tol=options.stage1_tol, names=inputs,
    )  # fmt: skip
    gamma = st1.coef / st1.big_e
    flex_gamma = gamma / (st1.exponents[:, -1].astype(np.float64) + 1.0)
    big_y = y - st1.eps - x[:, -1] * (poly_basis_nb(x, st1.exponents) @ flex_gamma)
    st2 = _Stage2.build(work, xf, big_y, fixed, options)
    c_hat, conv = _solve_stage2(st2, options)
    objective = float(conv.objective)
    conv = replace(conv, elapsed=_time.perf_counter() - t_start)
    omega = big_y - st2.z @ c_hat
    el = np.empty((work.nobs, len(inputs)))
    for i in range(len(fixed)):
        # derivative of the integral m * Σ flex_gamma_j x^{e_j} with respect to fixed input i
        el[:, i] = x[:, -1] * _derivative_basis(x, st1.exponents, flex_gamma, i)
        el[:, i] += _derivative_basis(xf, st2.z_exps, c_hat, i)
    el[:, -1] = st1.d_e / st1.big_e
    if not np.all(np.isfinite(el)):
        raise IdentificationError(
            "non-finite elasticities", fix="check the inputs for extreme values"
        )
    markov, xi = _law_of_motion(omega, st2, options.markov_degree)

    def back(a: np.ndarray) -> np.ndarray:
        out = np.full((panel.nobs, *a.shape[1:]), np.nan)
        out[pos] = a
        out.setflags(write=False)
        return out

    sample = np.zeros(panel.nobs, dtype=bool)
    sample[pos[st2.s2]] = True
    sample.setflags(write=False)
    params = el.mean(axis=0) if options.average == "all" else el[st2.s2].mean(axis=0)
    identification = (
        _identification(
            c_hat,
            st2.args,
            xi[st2.s2],
            conv,
            xf if options.average == "all" else xf[st2.s2],
            st2.z_exps,
            params,
            inputs,
        )
        if identification_wanted()
        else None
    )
    terms = poly_names(inputs, options.share_degree, include_constant=True)
    stage1 = FrozenDict(
        ssr=st1.ssr, r2=st1.r2, coef=_ro(st1.coef), gamma=_ro(gamma), E=st1.big_e,
        terms=terms, n_iter=st1.n_iter, converged=st1.converged, nobs=int(work.nobs),
    )  # fmt: skip
    diagnostics = () if st1.converged else (
        f"the share regression did not converge in {options.stage1_maxiter} iterations",
    )  # fmt: skip
    return Fit(
        params=_ro(params),
        names=inputs,
        vcov=None,
        sample=sample,
        convergence=conv,
        objective=objective,
        objective_fn=st2.criterion,
        phi=back(y - st1.eps),
        dropped=FrozenDict(dropped, **lag_drops(st2.reasons)),
        first_stage=FrozenDict(
            ssr=st1.ssr, r2=st1.r2, terms=terms, nobs=int(work.nobs), E=st1.big_e
        ),
        objective_names=st2.z_names,
        omega=back(omega),
        epsilon=back(st1.eps),
        elasticities=back(el),
        details=GNR(
            inputs,
            back(el.sum(axis=1)),
            st2.z_names,
            _ro(c_hat),
            _ro(markov),
            back(xi),
            back(big_y),
            stage1,
        ),
        diagnostics=diagnostics,
        identification=identification,
    )


def _share(
    panel: Panel, spec: ProductionSpec, options: GNROptions
) -> tuple[Panel, np.ndarray, np.ndarray, dict[str, int]]:
    """The rows with a share (logged from nominal values with ``options.nominal``), their
    positions in ``panel``, the log share and the rows left out."""
    if options.nominal is None:
        assert spec.share is not None
        s = np.asarray(panel[spec.share], dtype=np.float64)
        return panel, np.arange(panel.nobs), s, {}
    num, den = (panel[c] for c in options.nominal)
    ok = (num > 0) & (den > 0)
    if not ok.any():
        raise IdentificationError(
            f"no row has positive {options.nominal[0]!r} and {options.nominal[1]!r}",
            fix="pass the nominal expenditure and revenue in levels (not logs)",
        )
    n_out = int((~ok).sum())
    work = panel.subset(ok, {"nonpositive": n_out})
    s = np.log(work[options.nominal[0]] / work[options.nominal[1]])
    return work, np.flatnonzero(ok), s, {"nonpositive": n_out} if n_out else {}


def _lags(work: Panel, options: GNROptions) -> tuple[np.ndarray, np.ndarray]:
    """Row of each row's previous period (−1 if none) and the reason codes of the panel."""
    if options.lag_across_gaps:
        lag = _prev_row_index(work.firm)
        return lag, np.where(lag >= 0, 0, 1)
    return work.lag_index(1), work.lag_reasons(1)


@dataclass(frozen=True, eq=False)
class _Stage2:
    """The second stage's data: the monomials ``z`` of the fixed inputs (names, exponents),
    each row's previous row ``lag`` (why missing: ``reasons``), the rows with one (``s2``)
    and the criterion's arguments there."""

    z: np.ndarray
    z_exps: np.ndarray
    z_names: tuple[str, ...]
    lag: np.ndarray
    reasons: np.ndarray
    s2: np.ndarray
    args: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]
    big_y: np.ndarray

    @classmethod
    def build(
        cls,
        work: Panel,
        xf: np.ndarray,
        big_y: np.ndarray,
        fixed: tuple[str, ...],
        options: GNROptions,
    ) -> _Stage2:
        deg_c = int(options.integral_degree or options.share_degree)
        z = poly_basis(xf, deg_c, include_constant=False)
        lag, reasons = _lags(work, options)
        s2 = lag >= 0
        n2, q = int(s2.sum()), z.shape[1]
        if n2 <= q + options.markov_degree + 1:
            raise IdentificationError(
                f"only {n2} rows have the previous period, too few for {q} integration-"
                f"constant terms and a degree-{options.markov_degree} law of motion",
                fix="use a longer panel or lower GNROptions.integral_degree / markov_degree",
            )
        zt, z1, yt, y1 = (
            np.ascontiguousarray(a)
            for a in (z[s2], z[lag[s2]], big_y[s2], big_y[lag[s2]])
        )
        return cls(
            z,
            exponent_table(len(fixed), deg_c, include_constant=False),
            poly_names(fixed, deg_c, include_constant=False),
            lag,
            reasons,
            s2,
            (zt, z1, yt, y1, options.markov_degree),
            big_y,
        )

    @property
    def criterion(self) -> Any:
        """``gnr_criterion`` at this data (a picklable partial)."""
        zt, z1, yt, y1, degree = self.args
        return partial(gnr_criterion, zt=zt, z1=z1, yt=yt, y1=y1, degree=degree)


def _solve_stage2(st2: _Stage2, options: GNROptions) -> tuple[np.ndarray, Convergence]:
    """Minimise the second-stage criterion; the coefficients of ``C`` and the search record
    in raw coefficients and gnrprod's criterion.

    The model is just identified: the root m(c) = 0 minimises m'm under any weight. The
    search uses moments on orthonormalised instruments, W m with W = sqrt(n) R^-T (well
    conditioned), then polishes gnrprod's identity-weighted criterion from the best point
    (a no-op at an exact root; it matters only when no root exists). Every BFGS end is
    polished by Levenberg-Marquardt with the kernel's Jacobian (the root to its floor).
    """
    args, zt = st2.args, st2.args[0]
    n2, q = zt.shape
    # gnrprod's start: OLS of Y on the terms of C (with a constant), on all stage-1 rows
    design = np.column_stack([np.ones(st2.z.shape[0]), st2.z])
    c0 = np.linalg.lstsq(design, st2.big_y, rcond=None)[0][1:]
    r = r_checked(
        zt - zt.mean(axis=0),
        what="polynomial terms of the fixed inputs in the second-stage sample",
        fix="check for constant or duplicated fixed inputs, or lower "
        "GNROptions.integral_degree",
        names=st2.z_names,
    )
    t_mat = np.linalg.inv(r / np.sqrt(n2))  # c = T u, with Z_t c = sqrt(n) Q u + const
    u0 = np.linalg.solve(t_mat, c0)
    w_half = np.sqrt(n2) * np.linalg.inv(r.T)
    f0w = float(np.sum((w_half @ _moments(c0, *args, need_jac=False)[0]) ** 2))
    search = _Scaled(
        t_mat, 1.0 / f0w if np.isfinite(f0w) and f0w > 0 else 1.0, args, w_half
    )
    half = options.start_spread * max(float(np.linalg.norm(u0)) / np.sqrt(q), 1e-3)
    n_starts = options.optimizer.n_starts
    starts = (
        np.vstack([u0[None, :], sobol_starts(u0, half, n_starts - 1, seed=_SOBOL_SEED)])
        if n_starts > 1
        else u0[None, :]
    )
    gtol = options.optimizer.ftol**0.5
    searching = (
        replace(options.optimizer, ftol=max(options.optimizer.ftol, _SEARCH_FTOL))
        if options.optimizer.method in ("bfgs", "l-bfgs-b")
        else options.optimizer
    )
    u_hat, conv = minimize_multistart(
        search.fun,
        starts,
        optimizer=searching,
        jac=search.jac,
        polish=partial(search.polish, gtol=gtol),
        native=search.bfgs,
    )
    f0 = gnr_criterion(c0, *args)
    raw = _Scaled(t_mat, 1.0 / f0 if np.isfinite(f0) and f0 > 0 else 1.0, args)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        u_pol, _ = minimize_multistart(
            raw.fun,
            u_hat,
            optimizer=replace(searching, strict=False),
            jac=raw.jac,
            polish=partial(raw.polish, gtol=gtol),
            native=raw.bfgs,
        )
    if raw.fun(u_pol) < raw.fun(u_hat):
        u_hat = u_pol
    c_hat = t_mat @ u_hat
    m_hat, _, _ = _moments(c_hat, *args, need_jac=False)
    objective = float(m_hat @ m_hat)
    if not np.isfinite(objective) or not np.all(np.isfinite(c_hat)):
        raise IdentificationError(
            "the GNR second-stage criterion is not finite at the estimate",
            fix="check the sample (a degenerate bootstrap resample raises this too)",
        )
    return c_hat, _rescale_convergence(conv, t_mat, st2.criterion, objective)


def _law_of_motion(
    omega: np.ndarray, st2: _Stage2, degree: int
) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients ``(const, ω, ω², …)`` of ω on its lag, and the residuals (NaN off the
    second-stage rows)."""
    s2, n = st2.s2, omega.shape[0]
    w1_all = np.full(n, np.nan)
    w1_all[s2] = omega[st2.lag[s2]]
    h = np.vander(w1_all[s2], degree + 1, increasing=True)
    markov = np.linalg.lstsq(h, omega[s2], rcond=None)[0]
    xi = np.full(n, np.nan)
    xi[s2] = omega[s2] - np.vander(w1_all[s2], degree + 1, increasing=True) @ markov
    return markov, xi


def _weighted_criterion(
    c: np.ndarray,
    args: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int],
    weight: np.ndarray,
) -> float:
    """``m' W m``: the GNR moments with the weight ``(Z_c'Z_c/n)^{-1}`` (centred instruments),
    whose sampling noise is ``var(ξ)/n`` whatever the scale of the monomials."""
    try:
        m, _, _ = _moments(np.asarray(c, dtype=np.float64), *args, need_jac=False)
    except np.linalg.LinAlgError:
        return float("inf")
    val = float(m @ weight @ m)
    return val if np.isfinite(val) else float("inf")


def _identification(
    c_hat: np.ndarray,
    args: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int],
    xi: np.ndarray,
    conv: Convergence,
    xf_avg: np.ndarray,
    z_exps: np.ndarray,
    params: np.ndarray,
    inputs: tuple[str, ...],
) -> IdentificationStats:
    """Precision of the fixed inputs' mean elasticities (linear in ``c``) from the criterion
    ``m'Wm`` around the estimate, its curvature ``2 G'WG`` from the moments' Jacobian ``G``;
    and the other minima within sampling noise of the estimate."""
    zt = args[0]
    n = zt.shape[0]
    zc = zt - zt.mean(axis=0)
    jac = mean_elasticity_jacobian(xf_avg, z_exps)
    fixed = inputs[:-1]
    try:
        weight = np.linalg.inv(zc.T @ zc / n)
        _, g, _ = _moments(c_hat, *args, need_jac=True)
        assert g is not None
        precision = criterion_precision(
            partial(_weighted_criterion, args=args, weight=weight),
            c_hat,
            float(np.var(xi)) / n,
            jac,
            fixed,
            curvature=2.0 * g.T @ weight @ g,
        )
    except np.linalg.LinAlgError:
        flat = np.zeros(len(fixed))
        flat[0] = 1.0
        precision = Precision(float("inf"), tuple(flat.tolist()), fixed, "curvature")
    scores = zt * xi[:, None]
    scores = scores - scores.mean(axis=0)
    # the sampling noise of the identity-weighted m'm is trace(S)/n (as in the OP/LP/ACF
    # searches, SCREEN_NOISE times it)
    margin = SCREEN_NOISE * float(np.trace(scores.T @ scores)) / n**2
    competing = tuple(
        tuple(float(v) for v in (*(params[:-1] + jac @ (c - c_hat)), params[-1]))
        for c in near_minima(conv, lambda _: margin)[1:]
    )
    return IdentificationStats(precision=precision, competing=competing)


def _ro(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=np.float64, copy=True)
    a.setflags(write=False)
    return a


def _rescale_convergence(
    conv: Convergence, t_mat: np.ndarray, criterion: Any, objective: float
) -> Convergence:
    """Express a search record in raw coefficients and gnrprod's criterion."""
    minima = tuple(
        LocalMinimum(
            objective=float(criterion(t_mat @ np.asarray(lm.params))),
            params=tuple(float(v) for v in t_mat @ np.asarray(lm.params)),
            n_starts=lm.n_starts,
        )
        for lm in conv.local_minima
    )
    return replace(
        conv,
        objective=objective,
        start_params=tuple(float(v) for v in t_mat @ np.asarray(conv.start_params)),
        local_minima=minima,
    )
