"""Peru domain tables with their sources: UIT, firm size (Ley 30056), PP 0093 targeting,
CIIU Rev.4 sectors, ubigeo departments and natural regions, IPC Lima deflators."""

from __future__ import annotations

from tfp.peru.size import (
    SIZE_CLASSES,
    SIZE_STRATA,
    WORKER_BANDS,
    SizeThresholds,
    sales_in_uit,
    size_class,
    size_label,
    size_stratum,
    worker_band,
)
from tfp.peru.uit import UIT_SOLES, uit, uit_series

__all__ = [
    "SIZE_CLASSES",
    "SIZE_STRATA",
    "UIT_SOLES",
    "WORKER_BANDS",
    "SizeThresholds",
    "sales_in_uit",
    "size_class",
    "size_label",
    "size_stratum",
    "uit",
    "uit_series",
    "worker_band",
]
