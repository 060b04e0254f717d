"""The shared rank decision (tfp.numerics.linalg) and linear GMM (tfp.numerics.linear_gmm)."""

from __future__ import annotations

import numpy as np
import pytest

from tfp.exceptions import IdentificationError
from tfp.numerics.linalg import check_rank, lstsq
from tfp.numerics.linear_gmm import check_identified, gmm, hansen_j

# Least squares on a well-conditioned design vs NumPy's SVD solver: rounding only.
CLOSED_FORM_RTOL = 1e-8


def _design(n: int = 500, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    l, k = rng.normal(size=(2, n))
    return np.column_stack([np.ones(n), l, k, k**2, l * k])


@pytest.mark.parametrize(
    "transform",
    [
        lambda x: x,
        lambda x: np.column_stack(
            [x[:, :2], x[:, 2] + 13.0, (x[:, 2] + 13.0) ** 2, x[:, 4]]
        ),
        lambda x: x * np.array([1.0, 1e-8, 1.0, 1e8, 1.0]),  # units
    ],
    ids=["logs near 0", "capital in soles (k + 13)", "units 1e-8 and 1e8"],
)
def test_rank_decision_ignores_units_and_shifts(transform: object) -> None:
    x = transform(_design())  # type: ignore[operator]
    y = _design() @ np.arange(1.0, 6.0)  # in the span of every transformed design
    b = lstsq(x, y, what="regressors", fix="-")  # raises if called collinear
    # an unscaled SVD cut-off (NumPy's default) drops the 1e-8 column as rank deficient
    np.testing.assert_allclose(x @ b, y, rtol=CLOSED_FORM_RTOL)


def test_collinear_column_is_named_and_correlated_ones_are_not() -> None:
    x = _design()
    names = ("const", "l", "k", "k^2", "l:k", "twice")
    with pytest.raises(
        IdentificationError, match="'twice': is collinear with the other x"
    ):
        check_rank(np.column_stack([x, 2 * x[:, 1]]), what="x", fix="-", names=names)
    with pytest.raises(IdentificationError, match="'twice': is collinear"):
        check_rank(np.column_stack([x, np.zeros(500)]), what="x", fix="-", names=names)
    rng = np.random.default_rng(1)
    close = x[:, 1] + 0.05 * rng.normal(
        size=500
    )  # corr 0.999: correlated, not collinear
    check_rank(np.column_stack([x, close]), what="x", fix="-", names=names)
    with pytest.raises(
        IdentificationError, match="x: 3 usable rows for 5 coefficients"
    ):
        check_rank(x[:3], what="x", fix="-")


def test_linear_gmm_is_2sls_and_checks_identification() -> None:
    rng = np.random.default_rng(2)
    n = 400
    z = np.column_stack([np.ones(n), rng.normal(size=(n, 2))])
    x = np.column_stack([np.ones(n), z[:, 1] + 0.5 * z[:, 2] + rng.normal(size=n)])
    y = x @ np.array([1.0, 2.0]) + rng.normal(size=n)
    w = np.linalg.inv(z.T @ z / n)
    xhat = z @ np.linalg.lstsq(z, x, rcond=None)[0]
    np.testing.assert_allclose(
        gmm(y, x, z, w), np.linalg.lstsq(xhat, y, rcond=None)[0], rtol=CLOSED_FORM_RTOL
    )
    u = y - x @ gmm(y, x, z, w)
    j, df, p, _ = hansen_j(y, x, z, (z * u[:, None]).T @ (z * u[:, None]))
    assert df == 1 and j >= 0 and 0 <= p <= 1
    check_identified(x, z, w, "toy", "-")
    unrelated = np.column_stack([x, z[:, 1]])  # 3 regressors, 3 instruments: fine
    check_identified(unrelated, z, w, "toy", "-")
    with pytest.raises(IdentificationError, match="toy: the columns are collinear"):
        check_identified(np.column_stack([x, 2 * x[:, 1]]), z, w, "toy", "-")
