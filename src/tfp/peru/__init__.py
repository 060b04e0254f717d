"""Peru domain tables with their sources: UIT, firm size (Ley 30056), PP 0093 targeting,
CIIU Rev.4 sectors, ubigeo departments and natural regions, IPC Lima deflators."""

from __future__ import annotations

from tfp.peru.deflators import deflate, ipc_lima, ipc_lima_monthly
from tfp.peru.geo import (
    DEPARTMENTS,
    NATURAL_REGIONS,
    department,
    department_name,
    department_table,
    is_lima_metropolitana,
    macro_region,
    natural_region,
)
from tfp.peru.sectors import (
    CIIU_SECTIONS,
    SECTIONS,
    SECTORS,
    SECTORS_EN,
    ciiu_division,
    ciiu_section,
    produce_sector,
)
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
from tfp.peru.targeting import (
    MIN_YEARS_REGISTERED,
    TARGET_SALES_UIT,
    TARGETING_REASONS,
    targeting,
)
from tfp.peru.uit import UIT_SOLES, uit, uit_series

__all__ = [
    "CIIU_SECTIONS",
    "DEPARTMENTS",
    "MIN_YEARS_REGISTERED",
    "NATURAL_REGIONS",
    "SECTIONS",
    "SECTORS",
    "SECTORS_EN",
    "SIZE_CLASSES",
    "SIZE_STRATA",
    "TARGETING_REASONS",
    "TARGET_SALES_UIT",
    "UIT_SOLES",
    "WORKER_BANDS",
    "SizeThresholds",
    "ciiu_division",
    "ciiu_section",
    "deflate",
    "department",
    "department_name",
    "department_table",
    "ipc_lima",
    "ipc_lima_monthly",
    "is_lima_metropolitana",
    "macro_region",
    "natural_region",
    "produce_sector",
    "sales_in_uit",
    "size_class",
    "size_label",
    "size_stratum",
    "targeting",
    "uit",
    "uit_series",
    "worker_band",
]
