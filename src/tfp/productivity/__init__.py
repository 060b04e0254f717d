"""Outcome indicators of PP 0093: TFP and labour-productivity indices, aggregates,
decompositions and their charts.

Two ways to get log TFP, one shape (a Series aligned to the data):
``results.productivity()`` from estimated production functions, or :func:`calibrated` from
given shares as PRODUCE computes it. Either feeds :func:`tfp_index` (by size class, sector,
region or year; base group or base year = 100), :func:`tfp_aggregate` (MIPYME level per
year and its growth), :func:`olley_pakes` and :func:`melitz_polanec` (decompositions).
:func:`labour_productivity` gives real value added per worker by size class and year with
MYPE and MIPYME aggregates. ``plot_*`` draw the report's charts.
"""

from __future__ import annotations

from tfp.productivity.calibrated import PRODUCE_SHARES_ENE_2015_2018, calibrated
from tfp.productivity.decompose import melitz_polanec, olley_pakes
from tfp.productivity.indices import MIPYME, MYPE, STATS, tfp_aggregate, tfp_index
from tfp.productivity.labour import labour_productivity
from tfp.productivity.plots import plot_index_by_group, plot_over_time
from tfp.productivity.uncertainty import INTERVAL_NOTE

__all__ = [
    "INTERVAL_NOTE",
    "MIPYME",
    "MYPE",
    "PRODUCE_SHARES_ENE_2015_2018",
    "STATS",
    "calibrated",
    "labour_productivity",
    "melitz_polanec",
    "olley_pakes",
    "plot_index_by_group",
    "plot_over_time",
    "tfp_aggregate",
    "tfp_index",
]
