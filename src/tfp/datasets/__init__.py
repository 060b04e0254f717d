"""Simulated panels with known truth (:mod:`tfp.datasets.simulate`) and bundled example data.

* :func:`acf_dgp` — the Ackerberg–Caves–Frazer (2015) Monte Carlo design (DGP 1–3).
* :func:`gnr_dgp` — a Cobb-Douglas gross-output design for Gandhi–Navarro–Rivers (2020).
* :func:`synthetic_ene` — an ENE-like Peruvian firm panel calibrated to PRODUCE's TFP gaps.

Each returns a :class:`SimulatedPanel` ``(data, truth)``.

* :func:`load_pp0093_2020` — PP 0093's 2020 records transcribed from PRODUCE's follow-up report.
* :func:`synthetic_register` — a synthetic register of the 28,510 firms served in 2020.
"""

from __future__ import annotations

from tfp.datasets.pp0093 import load_pp0093_2020, synthetic_register
from tfp.datasets.simulate import (
    SEED_TFP_RATIOS,
    SimulatedPanel,
    SimulationTruth,
    acf_dgp,
    gnr_dgp,
    size_class_ratios,
    synthetic_ene,
)

__all__ = [
    "SEED_TFP_RATIOS",
    "SimulatedPanel",
    "SimulationTruth",
    "acf_dgp",
    "gnr_dgp",
    "load_pp0093_2020",
    "size_class_ratios",
    "synthetic_ene",
    "synthetic_register",
]
