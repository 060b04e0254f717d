"""Shared pieces of the simulators: the truth record, the return type and input checks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from tfp._frozen import FrozenDict
from tfp.exceptions import SpecificationError

__all__ = ["SimulatedPanel", "SimulationTruth"]


@dataclass(frozen=True)
class SimulationTruth:
    """The data-generating process behind a simulated panel, with row-level truth.

    Attributes
    ----------
    dgp : str
        Name of the design, e.g. ``"acf-1"`` or ``"synthetic-ene"``.
    params : Mapping[str, float]
        True output elasticities by input column (log output = constant + Σ params·x + ω + ε).
    constant : float
        Intercept of the log production function.
    rho : float
        AR(1) coefficient of ω over one period: ω_t − μ = ρ (ω_{t−1} − μ) + ξ_t.
    mu_omega : float
        Stationary mean μ of ω.
    sigma_omega : float
        Stationary standard deviation of ω.
    sigma_xi : float
        Standard deviation of the one-period innovation ξ_t (= σ_ω √(1 − ρ²)).
    sigma_eps : float
        Standard deviation of the output shock ε (not known to the firm when choosing inputs).
    b : float
        Timing of the labour choice: labour is chosen at t − b knowing ω_{t−b}.
    omega : pandas.Series
        True log productivity ω of every row, aligned to ``data.index`` (named ``omega``).
    epsilon : pandas.Series
        Output shock ε of every row, aligned to ``data.index`` (named ``epsilon``).
    settings : Mapping[str, Any]
        Every other setting of the design (wage process, adjustment costs, calibration
        constants, achieved calibration statistics).
    seed_entropy : int or None
        Entropy of the ``SeedSequence`` when the simulator was seeded with an int or None;
        None when a ``Generator`` was passed in.
    """

    dgp: str
    params: Mapping[str, float]
    constant: float
    rho: float
    mu_omega: float
    sigma_omega: float
    sigma_xi: float
    sigma_eps: float
    b: float
    omega: pd.Series = field(repr=False)
    epsilon: pd.Series = field(repr=False)
    settings: Mapping[str, Any] = field(default_factory=FrozenDict)
    seed_entropy: int | None = None

    def log_output_without_shock(self, data: pd.DataFrame) -> pd.Series:
        """Return constant + Σ params·x + ω for every row of ``data`` (the noise-free log output)."""
        out = self.constant + self.omega.to_numpy()
        for name, beta in self.params.items():
            out = out + beta * data[name].to_numpy(dtype=np.float64)
        return pd.Series(out, index=data.index, name="y_star")


class SimulatedPanel(NamedTuple):
    """A simulated panel and its truth; unpacks as ``data, truth = simulator(...)``."""

    data: pd.DataFrame
    truth: SimulationTruth


def make_rng(
    seed: int | np.random.Generator | None,
) -> tuple[np.random.Generator, int | None]:
    """Turn ``seed`` into a Generator and record the entropy when it can be known."""
    if isinstance(seed, np.random.Generator):
        return seed, None
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, (int, np.integer))
    ):
        raise SpecificationError(
            f"seed must be an int, a numpy Generator or None, got {type(seed).__name__}",
            fix="pass e.g. seed=123 or seed=np.random.default_rng(123)",
        )
    if seed is not None and int(seed) < 0:
        raise SpecificationError(
            f"seed must be non-negative, got {seed}", fix="pass a non-negative integer"
        )
    ss = np.random.SeedSequence(None if seed is None else int(seed))
    entropy = ss.entropy
    return np.random.default_rng(ss), int(entropy) if isinstance(entropy, int) else None


def check_count(value: object, name: str, minimum: int) -> int:
    """Validate a positive integer argument."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise SpecificationError(
            f"{name} must be an integer, got {value!r}",
            fix=f"pass an integer ≥ {minimum}",
        )
    if int(value) < minimum:
        raise SpecificationError(
            f"{name} must be at least {minimum}, got {value}",
            fix=f"pass an integer ≥ {minimum}",
        )
    return int(value)


def check_float(
    value: object,
    name: str,
    *,
    low: float,
    high: float,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Validate a real argument in [low, high] (ends open when asked)."""
    if isinstance(value, bool) or not isinstance(
        value, (int, float, np.integer, np.floating)
    ):
        raise SpecificationError(
            f"{name} must be a real number, got {value!r}",
            fix=f"pass a number in [{low}, {high}]",
        )
    v = float(value)
    bad = (
        not np.isfinite(v)
        or v < low
        or v > high
        or (low_open and v == low)
        or (high_open and v == high)
    )
    if bad:
        lo = "(" if low_open else "["
        hi = ")" if high_open else "]"
        raise SpecificationError(
            f"{name}={value!r} is outside {lo}{low}, {high}{hi}",
            fix=f"pass a value in {lo}{low}, {high}{hi}",
        )
    return v


def readonly_series(values: np.ndarray, index: pd.Index, name: str) -> pd.Series:
    """A float64 Series over a read-only copy of ``values``."""
    arr = np.array(values, dtype=np.float64, copy=True)
    arr.flags.writeable = False
    return pd.Series(arr, index=index, name=name, copy=False)
