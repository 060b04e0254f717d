"""Peru domain tables with their sources: UIT, firm size (Ley 30056), PP 0093 targeting,
CIIU Rev.4 sectors, ubigeo departments and natural regions, IPC Lima deflators."""

from __future__ import annotations

from tfp.peru.uit import UIT_SOLES, uit, uit_series

__all__ = ["UIT_SOLES", "uit", "uit_series"]
