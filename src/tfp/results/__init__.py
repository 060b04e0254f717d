"""Immutable estimation results and their rendering.

* :class:`ProductionResults` (:mod:`tfp.results.production`): one estimate, its inference,
  sample, productivity, elasticities and returns to scale;
* :class:`ResultsSet` (:mod:`tfp.results.compare`): several results and their comparison table;
* :class:`Summary` (:mod:`tfp.results.summary`): the text, HTML and LaTeX summary of one estimate.

Every post-estimation operation returns a new object and never mutates.
"""

from __future__ import annotations

from tfp.bootstrap import BootstrapDraws
from tfp.results.compare import ResultsSet
from tfp.results.production import ProductionResults, ReturnsToScale
from tfp.results.summary import Summary

__all__ = [
    "BootstrapDraws",
    "ProductionResults",
    "ResultsSet",
    "ReturnsToScale",
    "Summary",
]
