"""Options of the closed-form estimators OLS and within-firm fixed effects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from tfp._literals import validate_literal
from tfp.options._base import MethodOptions

__all__ = ["VCOV_TYPES", "FEOptions", "OLSOptions"]

VCOV_TYPES = ("cluster", "robust", "classical")


@dataclass(frozen=True)
class OLSOptions(MethodOptions):
    """Options of ``method="ols"``: pooled least squares of log output on the terms.

    Parameters
    ----------
    time_effects : bool, default False
        Add one dummy per period (the first period is the base).
    vcov : {'cluster', 'robust', 'classical'}, default 'cluster'
        Analytic covariance: clustered by firm (CR1, small-sample factor
        ``G/(G-1)·(N-1)/(N-K)`` as Stata's ``regress, vce(cluster id)``),
        heteroskedasticity-robust (HC1), or classical.
    """

    methods: ClassVar[tuple[str, ...]] = ("ols",)
    time_effects: bool = False
    vcov: str = "cluster"

    def __post_init__(self) -> None:
        self._check_fields()
        validate_literal(self.vcov, VCOV_TYPES, name="OLSOptions.vcov")


@dataclass(frozen=True)
class FEOptions(MethodOptions):
    """Options of ``method="fe"``: least squares after removing each firm's mean (within).

    Parameters
    ----------
    time_effects : bool, default False
        Add period dummies (two-way fixed effects).
    vcov : {'cluster', 'robust', 'classical'}, default 'cluster'
        Clustered by firm (CR1 with ``N - G - K`` residual degrees of freedom, as Stata's
        ``xtreg, fe vce(cluster id)``), HC1, or classical.

    Notes
    -----
    Firms observed once carry no within variation; they are left out with reason
    ``"singleton"`` and counted in ``results.dropped``.
    """

    methods: ClassVar[tuple[str, ...]] = ("fe",)
    time_effects: bool = False
    vcov: str = "cluster"

    def __post_init__(self) -> None:
        self._check_fields()
        validate_literal(self.vcov, VCOV_TYPES, name="FEOptions.vcov")
