"""Simulated panels with known truth (:mod:`tfp.datasets.simulate`) and bundled example data.

* :func:`acf_dgp` — the Ackerberg–Caves–Frazer (2015) Monte Carlo design (DGP 1–3).
* :func:`synthetic_ene` — an ENE-like Peruvian firm panel calibrated to PRODUCE's TFP gaps.

Each returns a :class:`SimulatedPanel` ``(data, truth)``.
"""

from __future__ import annotations

from tfp.datasets.simulate import (
    SEED_TFP_RATIOS,
    SimulatedPanel,
    SimulationTruth,
    acf_dgp,
    size_class_ratios,
    synthetic_ene,
)

__all__ = [
    "SEED_TFP_RATIOS",
    "SimulatedPanel",
    "SimulationTruth",
    "acf_dgp",
    "size_class_ratios",
    "synthetic_ene",
]
