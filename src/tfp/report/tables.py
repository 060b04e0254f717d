"""Display labels of the report's table columns (the tables are built by :mod:`tfp.app`)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["COLUMN_LABELS", "column_label"]

#: Display labels of the columns of the report's own tables: name -> (es, en). Columns of the
#: ``tfp.program`` tables use :func:`tfp.program.label`.
COLUMN_LABELS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "term": ("Factor", "Input"),
        "input": ("Insumo", "Input"),
        "estimate": ("Estimado (tfp)", "Estimate (tfp)"),
        "std_error": ("Error estándar", "Standard error"),
        "conf_low": ("IC 95 % inf.", "95 % CI low"),
        "conf_high": ("IC 95 % sup.", "95 % CI high"),
        "truth": ("Valor verdadero (simulación)", "True value (simulation)"),
        "lp_estimate": ("Levinsohn-Petrin (control)", "Levinsohn-Petrin (check)"),
        "published": ("Publicado PRODUCE", "Published by PRODUCE"),
        "published_growth_pct": ("Var. % publicada", "Published % change"),
        "index": ("Índice (grande = 100)", "Index (large = 100)"),
        "year": ("Año", "Year"),
        "growth_pct": ("Var. % anual (tfp)", "Annual % change (tfp)"),
        "growth_conf_low_pct": ("IC 95 % inf. var. %", "95 % CI low, % change"),
        "growth_conf_high_pct": ("IC 95 % sup. var. %", "95 % CI high, % change"),
        "group": ("Grupo", "Group"),
        "label": ("Categoría", "Category"),
        "n_firms": ("N° de empresas", "Number of firms"),
        "n_obs": ("Observaciones", "Observations"),
        "workers": ("Trabajadores", "Workers"),
        "figure": ("Cifra", "Figure"),
        "id": ("Código", "ID"),
        "amount": ("Valor", "Value"),
        "severity": ("Severidad", "Severity"),
        "where": ("Dónde", "Where"),
        "message": ("Detalle", "Detail"),
        "code": ("Código", "Code"),
        "share_pct": ("% del total", "% of total"),
        "share_known_pct": ("% de conocidos", "% of known"),
        "reason": ("Motivo", "Reason"),
    }
)


def column_label(name: str, lang: str) -> str:
    """Display label of a column in Spanish or English (unknown names unchanged)."""
    from tfp.program import label

    pair = COLUMN_LABELS.get(name)
    if pair is not None:
        return pair[0] if lang == "es" else pair[1]
    return label(name, lang)  # type: ignore[arg-type]
