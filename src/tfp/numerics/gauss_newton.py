"""Levenberg–Marquardt minimisation of a GMM quadratic form ``Q(x) = m(x)' W m(x)``.

A GMM criterion is a sum of squares, ``Q = ‖L'm‖²`` with ``W = LL'``, so the Jacobian of the
moments ``∂m/∂x`` gives the Gauss–Newton approximation ``2 J'WJ`` of its Hessian for free. Near a
root of ``m`` (a just-identified model) the Gauss–Newton step is Newton's method on ``m(x) = 0``
and converges quadratically: a handful of evaluations take a point where a quasi-Newton search
has found the basin to the minimum at machine precision, where BFGS spends tens of
evaluations rebuilding curvature (and often stops on a failed line search at the noise
floor). Levenberg's damping ``λ·diag(J'WJ)`` (Marquardt's scaling) keeps every accepted step
a decrease of ``Q``, so the polish never leaves the minimum it starts near and never ends
above its start.

:func:`levenberg_marquardt` is that polish. Steps follow Nielsen's damping update.

References
----------
Moré, J. J. (1978). The Levenberg–Marquardt algorithm: implementation and theory. In
*Numerical Analysis*, Lecture Notes in Mathematics 630, 105–116. Springer.

Nielsen, H. B. (1999). Damping parameter in Marquardt's method. Technical report
IMM-REP-1999-05, Technical University of Denmark.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["MomentsFn", "PolishResult", "levenberg_marquardt"]

#: ``moments(x) -> (m, J)``: the moments (q,) and their Jacobian (q, p) at ``x``, or None
#: where the criterion is not defined (e.g. a singular inner regression).
MomentsFn = Callable[[np.ndarray], "tuple[np.ndarray, np.ndarray] | None"]

#: An accepted step that lowers ``Q`` by less than this fraction of ``Q`` ends the polish:
#: the criterion is then at its rounding-noise floor (double precision, a few ulps of ``Q``).
FLOOR_RTOL = 1e-15

#: First damping after a rejected pure Gauss–Newton step, relative to the largest diagonal
#: element of ``J'WJ`` (Nielsen's τ for a start that is already close to the minimum).
TAU = 1e-6

#: The polish gives up (no step lowers ``Q``) once the damping exceeds this multiple of the
#: largest diagonal element of ``J'WJ``: the step is then shorter than rounding in ``x``.
MAX_DAMPING = 1e16


@dataclass(frozen=True)
class PolishResult:
    """Where a Levenberg–Marquardt polish ended.

    Attributes
    ----------
    x : ndarray, shape (p,)
        End point (the start when no step lowered the criterion).
    fun : float
        ``Q`` at ``x`` (``inf`` when the criterion is not defined at the start).
    n_evals : int
        Evaluations of ``moments``.
    n_iter : int
        Accepted steps.
    converged : bool
        The gradient fell below ``gtol``, a step fell below ``xtol``, the criterion reached
        its rounding-noise floor (:data:`FLOOR_RTOL`) or zero.
    message : str
        Why it stopped.
    """

    x: np.ndarray
    fun: float
    n_evals: int
    n_iter: int
    converged: bool
    message: str


def _root_weight(weight: np.ndarray | None, q: int) -> np.ndarray:
    """``L`` with ``W = LL'`` (Cholesky; eigen-decomposition if W is only semi-definite)."""
    if weight is None:
        return np.eye(q)
    w = np.asarray(weight, dtype=np.float64)
    try:
        return np.asarray(np.linalg.cholesky(w))
    except np.linalg.LinAlgError:
        vals, vecs = np.linalg.eigh((w + w.T) / 2.0)
        return np.asarray(vecs * np.sqrt(np.clip(vals, 0.0, None)))


def levenberg_marquardt(
    moments: MomentsFn,
    x0: np.ndarray,
    *,
    weight: np.ndarray | None = None,
    gtol: float = 1e-10,
    xtol: float = 1e-14,
    maxiter: int = 200,
) -> PolishResult:
    """Minimise ``Q(x) = m(x)' W m(x)`` from ``x0`` by Levenberg–Marquardt.

    Parameters
    ----------
    moments : callable
        ``moments(x) -> (m, J)`` with ``m`` (q,) and ``J = ∂m/∂x`` (q, p), or None where the
        criterion is undefined (treated as ``Q = inf``).
    x0 : ndarray, shape (p,)
        Start, typically the end of a quasi-Newton search in the basin of the minimum.
    weight : ndarray, shape (q, q), optional
        Symmetric positive (semi-)definite ``W``; identity when None.
    gtol : float
        Stop when ``max |∇Q| <= gtol`` (``∇Q = 2 J'Wm``).
    xtol : float
        Stop when a step is at most ``xtol * (1 + max |x|)`` in every coordinate.
    maxiter : int
        Accepted steps allowed.

    Returns
    -------
    PolishResult
        Every accepted step lowered ``Q``: ``fun`` is at most ``Q(x0)``.
    """
    x = np.array(x0, dtype=np.float64, copy=True).reshape(-1)
    out = moments(x)
    n_evals = 1
    if out is None:
        return PolishResult(
            x, float("inf"), n_evals, 0, False, "undefined at the start"
        )
    m, jac = out
    root = _root_weight(weight, m.shape[0])
    r = root.T @ m
    rj = root.T @ jac
    fun = float(r @ r)
    if not np.isfinite(fun):
        return PolishResult(
            x, float("inf"), n_evals, 0, False, "not finite at the start"
        )
    lam = 0.0
    nu = 2.0
    for it in range(maxiter):
        if fun == 0.0:
            return PolishResult(x, fun, n_evals, it, True, "criterion is zero")
        grad_small = float(np.max(np.abs(2.0 * (rj.T @ r)), initial=0.0)) <= gtol
        a = rj.T @ rj
        b = -(rj.T @ r)
        diag = np.diag(a).copy()
        dmax = float(np.max(diag, initial=0.0))
        if not dmax > 0.0:
            return PolishResult(x, fun, n_evals, it, grad_small, "zero Jacobian")
        diag = np.maximum(diag, dmax * 1e-12)
        while True:
            try:
                step = np.linalg.solve(a + lam * np.diag(diag), b)
            except np.linalg.LinAlgError:
                step = None
            if step is not None and np.all(np.isfinite(step)):
                if float(np.max(np.abs(step), initial=0.0)) <= xtol * (
                    1.0 + float(np.max(np.abs(x), initial=0.0))
                ):
                    return PolishResult(x, fun, n_evals, it, True, "step below xtol")
                lin = r + rj @ step
                pred = fun - float(lin @ lin)
                if pred <= FLOOR_RTOL * fun:
                    return PolishResult(
                        x, fun, n_evals, it, True, "predicted decrease below rounding"
                    )
                cand = x + step
                out = moments(cand)
                n_evals += 1
                if out is not None:
                    m_new, jac_new = out
                    r_new = root.T @ m_new
                    fun_new = float(r_new @ r_new)
                    if fun_new < fun:
                        ratio = (fun - fun_new) / pred
                        if lam > 0.0:
                            lam *= max(1.0 / 3.0, 1.0 - (2.0 * ratio - 1.0) ** 3)
                            if lam < dmax * 1e-12:
                                lam = 0.0
                        nu = 2.0
                        floor = fun - fun_new <= FLOOR_RTOL * fun
                        x, fun, r, rj = cand, fun_new, r_new, root.T @ jac_new
                        if floor:
                            return PolishResult(
                                x, fun, n_evals, it + 1, True, "criterion at its floor"
                            )
                        break
                if grad_small:
                    # no decrease although the gradient is below gtol: rounding noise
                    return PolishResult(
                        x, fun, n_evals, it, True, "gradient below gtol"
                    )
            # rejected: damp more
            lam = TAU * dmax if lam == 0.0 else lam * nu
            nu *= 2.0
            if lam > MAX_DAMPING * dmax:
                return PolishResult(
                    x, fun, n_evals, it, grad_small, "no step lowers the criterion"
                )
    return PolishResult(x, fun, n_evals, maxiter, False, "maxiter reached")
