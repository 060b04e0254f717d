"""The display text of tfp in Spanish and English: one catalogue, at the foundation.

Code names things in English snake_case (columns, codes, sentence keys); what people read comes
from here. Each entry is an ``(es, en)`` pair under a *domain* (``column``, ``size``,
``sector``, ``chart``, ``text`` …, listed in :data:`CATALOGUE`); :func:`label` looks one up
and fills its ``{placeholders}``. Spanish comes first: the reports' readers are PRODUCE's
economists. Sentences may contain ``{fields}`` filled by the caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from tfp._literals import LANGS, validate_literal

__all__ = ["CATALOGUE", "label", "labels"]

_ENTRIES: dict[str, dict[str, tuple[str, str]]] = {
    "column": {  # columns and codes of tables
        "level": ("Nivel", "Level"),
        "code": ("Código", "Code"),
        "number": ("N°", "No."),
        "name": ("Producto / Actividad", "Product / Activity"),
        "product": ("Producto", "Product"),
        "activity": ("Actividad", "Activity"),
        "indicator": ("Indicador", "Indicator"),
        "total": ("Total", "Total"),
        "responsible": ("Responsable", "Responsible"),
        "unit": ("Unidad de medida", "Unit of measure"),
        "target": ("Meta física anual", "Annual physical target"),
        "achieved": ("Avance", "Achieved"),
        "physical_progress_pct": ("% avance físico", "% physical progress"),
        "pia": ("PIA", "Initial budget (PIA)"),
        "pim": ("PIM", "Modified budget (PIM)"),
        "devengado": ("Devengado", "Accrued spending (devengado)"),
        "execution_pct": ("% ejecución presupuestal", "% budget execution"),
        "status": ("Estado", "Status"),
        "ok": ("", ""),
        "no_target": ("sin meta", "no target"),
        "no_budget": ("sin PIM", "no modified budget"),
        "value": ("Valor del indicador", "Indicator value"),
        "progress_pct": ("% avance", "% progress"),
        "group": ("Grupo", "Group"),
        "label": ("Categoría", "Category"),
        "n_firms": ("N° de empresas", "Number of firms"),
        "share_pct": ("% del total", "% of total"),
        "share_of_product_pct": (
            "% del devengado del producto",
            "% of product spending",
        ),
        "share_of_total_pct": ("% del devengado total", "% of total spending"),
        "change": ("Variación", "Change"),
        "change_pct": ("Variación %", "% change"),
        "reason": ("Motivo", "Reason"),
        "missing": ("Sin información", "No information"),
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
        "n_obs": ("Observaciones", "Observations"),
        "workers": ("Trabajadores", "Workers"),
        "figure": ("Cifra", "Figure"),
        "id": ("Código", "ID"),
        "amount": ("Valor", "Value"),
        "severity": ("Severidad", "Severity"),
        "where": ("Dónde", "Where"),
        "message": ("Detalle", "Detail"),
        "share_known_pct": ("% de conocidos", "% of known"),
        "value_tfp": ("Valor (tfp)", "Value (tfp)"),
        "annual_target": ("Meta anual", "Annual target"),
    },
    "severity": {  # of a finding in the records
        "error": ("Error", "Error"),
        "warning": ("Aviso", "Warning"),
    },
    "finding": {  # a contradiction in the records (tfp.program.checks), after "Where: "
        "budget_sum_mismatch": (
            "el {measure} impreso es {published}, pero sus actividades suman {computed}.",
            "the printed {measure} is {published}, but its activities add up to {computed}.",
        ),
        "devengado_above_pim": (
            "el devengado (S/ {devengado}) supera el PIM (S/ {pim}).",
            "accrued spending (S/ {devengado}) exceeds the modified budget (S/ {pim}).",
        ),
        "activity_above_product": (
            "la actividad atendió a {activity_achieved} empresas, más que las {product_achieved} empresas distintas de su producto.",
            "the activity served {activity_achieved} firms, more than the {product_achieved} distinct firms of its product.",
        ),
        "product_above_activities": (
            "el producto atendió a {achieved} empresas distintas, pero sus actividades suman solo {activities_achieved}.",
            "the product served {achieved} distinct firms, but its activities add up to only {activities_achieved}.",
        ),
        "product_target_mismatch": (
            "la meta del producto ({target}) difiere de la suma de las metas de sus actividades ({activities_target}).",
            "the product's target ({target}) differs from the sum of its activities' targets ({activities_target}).",
        ),
        "published_mismatch": (
            "{measure} figura como {published} en el reporte publicado ({source}), pero los registros dan {computed}.",
            "{measure} is printed as {published} in the published report ({source}), but the records give {computed}.",
        ),
        "register_count_mismatch": (
            "el padrón registra {register_firms} empresas distintas, pero los registros indican {achieved}.",
            "the register lists {register_firms} distinct firms, but the records say {achieved}.",
        ),
    },
    "finding_measure": {  # figures a finding is about
        "achieved": ("el avance", "the number achieved"),
        "target": ("la meta", "the target"),
        "physical_progress_pct": ("el avance físico", "physical progress"),
        "pia": ("PIA", "initial budget (PIA)"),
        "pim": ("PIM", "modified budget (PIM)"),
        "devengado": ("devengado", "accrued spending"),
        "execution_pct": ("la ejecución presupuestal", "budget execution"),
        "value": ("el valor del indicador", "the indicator's value"),
        "progress_pct": ("el avance respecto de la meta", "progress on the target"),
    },
    "finding_source": {  # where the published report prints a figure
        "annex": ("anexo", "annex"),
        "indicator_table": ("cuadro de indicadores", "indicator table"),
        "text": ("texto", "text"),
    },
    "unit": {  # units of measure of physical targets
        "firms": ("Empresas", "Firms"),
        "actions": ("Acciones", "Actions"),
    },
    "size": {  # Ley 30056 size classes, the seed's sub-strata, worker bands
        "micro": ("Micro", "Micro"),
        "small": ("Pequeña", "Small"),
        "medium": ("Mediana", "Medium"),
        "large": ("Grande", "Large"),
        "micro_below_2uit": (
            "Micro, ventas menores a 2 UIT",
            "Micro, sales below 2 UIT",
        ),
        "micro_subsistence": (
            "Micro de subsistencia (2 a 13 UIT)",
            "Subsistence micro (2 to 13 UIT)",
        ),
        "micro_accumulation": (
            "Micro de acumulación (más de 13 a 150 UIT)",
            "Accumulation micro (over 13 to 150 UIT)",
        ),
        "small_lower": ("Pequeña, más de 150 a 300 UIT", "Small, over 150 to 300 UIT"),
        "small_upper": (
            "Pequeña, más de 300 a 1 700 UIT",
            "Small, over 300 to 1,700 UIT",
        ),
        "1-4": ("1 a 4 trabajadores", "1 to 4 workers"),
        "5-10": ("5 a 10 trabajadores", "5 to 10 workers"),
        "11-50": ("11 a 50 trabajadores", "11 to 50 workers"),
        "51+": ("Más de 50 trabajadores", "More than 50 workers"),
    },
    "aggregate": {  # groups of size classes
        "mype": ("MYPE", "Micro and small firms"),
        "mipyme": ("MIPYME", "MSMEs"),
        "all": ("Todas", "All firms"),
    },
    "sector": {  # PRODUCE's sectors (PERU_DOMAIN.md 6.2), keyed by their English name
        "Agriculture": ("Agropecuario", "Agriculture"),
        "Fishing": ("Pesca", "Fishing"),
        "Mining": ("Minería", "Mining"),
        "Manufacturing": ("Manufactura", "Manufacturing"),
        "Construction": ("Construcción", "Construction"),
        "Trade": ("Comercio", "Trade"),
        "Services": ("Servicios", "Services"),
        "missing": ("Sin información", "No information"),
    },
    "targeting": {  # why a firm is outside PP 0093's targeting, in checking order
        "formal": ("no formal", "not formal"),
        "registered_2y": ("menos de 2 años en SUNAT", "less than 2 years registered"),
        "sales_low": ("ventas menores a 13 UIT", "sales below 13 UIT"),
        "sales_high": ("ventas mayores a 2 300 UIT", "sales above 2,300 UIT"),
        "missing": ("sin información", "missing data"),
    },
    "chart": {  # chart titles, also the images' alt text
        "tfp_by_size": (
            "Productividad total de factores según tamaño de empresa (gran empresa = 100)",
            "Total factor productivity by firm size (large firms = 100)",
        ),
        "mipyme_growth": (
            "Variación % anual de la PTF de las MIPYME",
            "Annual % change in MIPYME TFP",
        ),
        "mype_labour": (
            "Productividad del trabajo de las MYPE (miles de soles por trabajador)",
            "MYPE labour productivity (thousand soles per worker)",
        ),
        "physical_progress": (
            "Avance físico por actividad (% de la meta anual)",
            "Physical progress by activity (% of the annual target)",
        ),
        "budget": (
            "Ejecución presupuestal por producto (millones de soles)",
            "Budget execution by product (million soles)",
        ),
        "indicators": (
            "Indicadores de desempeño: valor y meta",
            "Performance indicators: value and target",
        ),
        "coverage_natural_region": (
            "Empresas atendidas por región natural",
            "Firms served by natural region",
        ),
        "coverage_size_class": (
            "Empresas atendidas por tamaño (empresas con información de ventas)",
            "Firms served by size (firms with sales data)",
        ),
        "coverage_department": (
            "Empresas atendidas por departamento",
            "Firms served by department",
        ),
    },
    "chart_word": {  # legends and axes of the report's charts
        "ours": ("tfp (datos del reporte)", "tfp (report data)"),
        "ours_sim": ("tfp (datos simulados)", "tfp (simulated data)"),
        "seed": ("Publicado PRODUCE (ENE)", "Published by PRODUCE (ENE)"),
        "index": ("Índice", "Index"),
        "year": ("Año", "Year"),
        "pct": ("%", "%"),
        "firms": ("Empresas", "Firms"),
        "target": ("Meta", "Target"),
        "value": ("Valor", "Value"),
        "pia": ("PIA", "Initial budget (PIA)"),
        "pim": ("PIM", "Modified budget (PIM)"),
        "devengado": ("Devengado", "Accrued (devengado)"),
        "product": ("Producto", "Product"),
        "activity": ("Act.", "Act."),
        "no_target": ("sin meta", "no target"),
    },
    "plot": {  # tfp.productivity's charts
        "index_title": (
            "PTF relativa por tamaño de empresa ({base} = 100)",
            "Relative TFP by firm size ({base} = 100)",
        ),
        "index_y": ("Índice de PTF", "TFP index"),
        "time_title": ("Productividad por año", "Productivity over the years"),
        "time_x": ("Año", "Year"),
    },
    "text": {  # headings and sentences of the report
        "title": (
            "Reporte de seguimiento del Programa Presupuestal {programme} «{name}», año {year}",
            "Monitoring report of budget programme {programme} “{name}”, year {year}",
        ),
        "subtitle": (
            "Resultado final: {final}. Resultado específico: {specific}.",
            "Final result: {final}. Specific result: {specific}.",
        ),
        "contents": ("Contenido", "Contents"),
        "sec_productivity": (
            "Productividad de las MIPYME",
            "Productivity of MIPYME (micro, small and medium firms)",
        ),
        "sec_population": ("Población atendida", "Population served"),
        "sec_products": (
            "Productos: avance físico, ejecución presupuestal e indicadores",
            "Products: physical progress, budget execution and indicators",
        ),
        "sec_findings": ("Hallazgos de consistencia", "Consistency findings"),
        "sec_annex": (
            "Anexo: ejecución de metas físicas y financieras por producto y actividad",
            "Annex: physical and financial execution by product and activity",
        ),
        "sec_methods": ("Nota metodológica", "Methods note"),
        "banner_sim": (
            "Los indicadores de resultado de este reporte (PTF y productividad del trabajo) se calcularon con un panel de empresas SIMULADO, parecido a la ENE, incluido en tfp; no son cifras oficiales. Las cifras publicadas por PRODUCE se muestran al lado, rotuladas como tales.",
            "The outcome indicators in this report (TFP and labour productivity) were computed on a SIMULATED ENE-like firm panel shipped with tfp; they are not official figures. PRODUCE's published figures are shown beside them, labelled as such.",
        ),
        "prod_intro": (
            "La PTF se mide con una función de producción Cobb-Douglas del valor agregado en capital, trabajo calificado y no calificado, estimada con {method}. El índice compara la PTF media de cada tamaño de empresa con la de las grandes empresas (= 100).",
            "TFP is measured with a Cobb-Douglas value-added production function in capital, skilled and unskilled labour, estimated with {method}. The index compares the mean TFP of each firm size with that of large firms (= 100).",
        ),
        "shares_caption": (
            "Participación de los factores (elasticidades del producto)",
            "Factor shares (output elasticities)",
        ),
        "size_caption": (
            "Índice de PTF por tamaño de empresa (gran empresa = 100)",
            "TFP index by firm size (large firms = 100)",
        ),
        "mipyme_caption": ("PTF de las MIPYME por año", "MIPYME TFP by year"),
        "mipyme_note": (
            "PRODUCE publica una PTF MIPYME de 1.13 en 2019 (−11.5 % respecto a 2018) sin indicar su normalización; el nivel de tfp está en unidades de la función estimada (incluye la constante), por lo que se comparan las variaciones.",
            "PRODUCE publishes a MIPYME TFP of 1.13 in 2019 (−11.5 % on 2018) without stating its normalisation; tfp's level is in units of the estimated function (it includes the constant), so compare the changes.",
        ),
        "labour_caption": (
            "Productividad del trabajo de las MYPE (miles de soles de {base} por trabajador)",
            "MYPE labour productivity (thousand soles of {base} per worker)",
        ),
        "labour_note": (
            "PRODUCE publica 44.8 (2018) y 46.3 (2019), +3.4 %, «millones de soles» según el texto; la unidad no está confirmada (probablemente miles de soles por trabajador).",
            "PRODUCE publishes 44.8 (2018) and 46.3 (2019), +3.4 %, “millions of soles” per its text; the unit is not confirmed (probably thousand soles per worker).",
        ),
        "no_register": (
            "Los registros no incluyen el padrón de empresas atendidas.",
            "The records have no register of firms served.",
        ),
        "coverage_caption": ("Empresas atendidas por {by}", "Firms served by {by}"),
        "by_natural_region": ("región natural", "natural region"),
        "by_department": ("departamento", "department"),
        "by_sector": ("sector económico", "economic sector"),
        "by_size_class": ("tamaño de empresa", "firm size"),
        "by_unit": ("dirección general o entidad", "serving unit"),
        "targeting_caption": (
            "Focalización: empresas dentro de los criterios y motivos de exclusión",
            "Targeting: firms inside the criteria and reasons for exclusion",
        ),
        "product_caption": (
            "Producto {n}: avance físico y ejecución presupuestal",
            "Product {n}: physical progress and budget execution",
        ),
        "indicators_caption": (
            "Indicadores de desempeño del producto {n}",
            "Performance indicators of product {n}",
        ),
        "no_indicators": (
            "El producto no tiene indicadores de desempeño en los registros.",
            "The product has no performance indicator in the records.",
        ),
        "overview": ("Resumen de todos los productos", "Overview of all products"),
        "findings_none": (
            "Los registros no presentan contradicciones.",
            "The records contain no contradictions.",
        ),
        "findings_intro": (
            "Contradicciones entre las cifras de los registros (se muestran, no se corrigen):",
            "Contradictions between figures of the records (shown, not corrected):",
        ),
        "notes_caption": (
            "Avisos de la estimación y del cálculo de indicadores",
            "Warnings from the estimation and the indicators",
        ),
        "annex_caption": (
            "Ejecución de metas físicas y financieras",
            "Physical and financial execution",
        ),
        "implausible": (
            "ATENCIÓN: las participaciones estimadas no son plausibles (fuera de los rangos habituales o con rendimientos a escala lejos de 1); los índices de PTF que dependen de ellas no son confiables. Compare con la columna Levinsohn-Petrin y revise las opciones del estimador (ver Hallazgos).",
            "WARNING: the estimated factor shares are implausible (outside the usual ranges, or returns to scale far from 1); the TFP indices built on them are not reliable. Compare with the Levinsohn-Petrin column and check the estimator's options (see Findings).",
        ),
        "footer": (
            "Generado con tfp {version}. Fuente de los registros: {source}. Las cifras derivadas (porcentajes, sumas) se calculan a partir de los registros.",
            "Generated with tfp {version}. Source of the records: {source}. Derived figures (percentages, sums) are computed from the records.",
        ),
        "figure": ("Gráfico", "Chart"),
        "summary_caption": ("Cifras principales", "Key figures"),
    },
    "figure": {  # key figures of the report's summary
        "year": ("Año", "Year"),
        "n_products": ("Productos", "Products"),
        "n_activities": ("Actividades", "Activities"),
        "pia": ("PIA (S/)", "Initial budget, PIA (S/)"),
        "pim": ("PIM (S/)", "Modified budget, PIM (S/)"),
        "devengado": ("Devengado (S/)", "Accrued spending (S/)"),
        "execution_pct": (
            "% ejecución (devengado / PIM)",
            "% execution (devengado / PIM)",
        ),
        "firms_served": ("Empresas atendidas", "Firms served"),
        "firms_targeted": (
            "Empresas focalizadas",
            "Firms inside the targeting criteria",
        ),
        "targeted_pct": ("% focalizadas", "% inside the targeting criteria"),
    },
    "method": {  # estimators
        "acf": (
            "Ackerberg-Caves-Frazer (ACF, 2015)",
            "Ackerberg-Caves-Frazer (ACF, 2015)",
        ),
        "lp": ("Levinsohn-Petrin (LP, 2003)", "Levinsohn-Petrin (LP, 2003)"),
        "op": ("Olley-Pakes (OP, 1996)", "Olley-Pakes (OP, 1996)"),
        "wrdg": ("Wooldridge (2009)", "Wooldridge (2009)"),
        "ols": ("OLS", "OLS"),
        "fe": ("efectos fijos", "fixed effects"),
        "gnr": ("Gandhi-Navarro-Rivers (2020)", "Gandhi-Navarro-Rivers (2020)"),
    },
    "step": {  # progress of `tfp report`
        "records": (
            "Leyendo los registros del programa",
            "Reading the programme records",
        ),
        "panel": ("Leyendo el panel de empresas", "Reading the firm panel"),
        "estimation": (
            "Estimando la función de producción (bootstrap)",
            "Estimating the production function (bootstrap)",
        ),
        "productivity": (
            "Calculando los indicadores de productividad",
            "Computing the productivity indicators",
        ),
        "tables": ("Armando los cuadros", "Building the tables"),
        "charts": ("Dibujando los gráficos", "Drawing the charts"),
        "write": ("Escribiendo el reporte", "Writing the report"),
        "done": ("Listo", "Done"),
        "written": ("Reporte escrito en", "Report written to"),
    },
    "coverage": {  # groups of the programme's coverage tables
        "target": ("Focalizada", "Targeted"),
        "not_target": ("Fuera de la focalización", "Outside the targeting criteria"),
        "no_product": ("Sin producto", "No product"),
        "targeted_firms": ("focalizadas", "targeted"),
    },
    "methods": {  # the report's methods note
        "panel": ("Panel de empresas: {note}.", "Firm panel: {note}."),
        "estimator": (
            "Estimador: {method}; producto {output} (log valor agregado real), insumos libres {free}, estado {state}, proxy {proxy}; {boot}; {nobs:,} observaciones de {n_firms:,} empresas; {seconds:.1f} s.",
            "Estimator: {method}; output {output} (log real value added), free inputs {free}, state {state}, proxy {proxy}; {boot}; {nobs:,} observations of {n_firms:,} firms; {seconds:.1f} s.",
        ),
        "bootstrap": (
            "bootstrap por empresa, {reps} réplicas, semilla {seed}",
            "firm-cluster bootstrap, {reps} replicates, seed {seed}",
        ),
        "no_bootstrap": (
            "sin errores estándar (reps = 0)",
            "no standard errors (reps = 0)",
        ),
        "options": (
            "Opciones del estimador: {options}.",
            "Estimator options: {options}.",
        ),
        "index": (
            "Índice de PTF: media de los niveles exp(ω) de cada tamaño (Ley 30056, ventas en UIT del año) ponderada por el factor de expansión '{weights}', relativa a la gran empresa (= 100); intervalos del 95 % por percentiles de las réplicas bootstrap. Productividad del trabajo: valor agregado real (IPC Lima) por trabajador (calificado + no calificado) de las MYPE.",
            "TFP index: mean of TFP levels exp(ω) of each size class (Ley 30056, sales in UIT of the year) weighted by the expansion factor '{weights}', relative to large firms (= 100); 95 % intervals from bootstrap replicate percentiles. Labour productivity: real value added (IPC Lima) per worker (skilled + unskilled) of MYPE.",
        ),
        "published": (
            "Cifras publicadas: PRODUCE-OGEIEE, Reporte de seguimiento del PP 0093 2020, sección «Productividad de las MIPYME» (ENE 2015–2019).",
            "Published figures: PRODUCE-OGEIEE, PP 0093 2020 follow-up report, section “Productividad de las MIPYME” (ENE 2015–2019).",
        ),
        "records": ("Registros del programa: {source}", "Programme records: {source}"),
        "config": ("Configuración: {source}", "Configuration: {source}"),
    },
}

#: domain -> key -> (Spanish, English). Read-only.
CATALOGUE: Mapping[str, Mapping[str, tuple[str, str]]] = MappingProxyType(
    {domain: MappingProxyType(entries) for domain, entries in _ENTRIES.items()}
)


def label(key: str, lang: str = "es", *, domain: str = "column", **fields: Any) -> str:
    """Return the display text of ``key`` in ``lang`` (``"es"`` or ``"en"``).

    Unknown keys are returned unchanged, so labels can be applied to any column; ``fields``
    fill the text's ``{placeholders}``.

    Examples
    --------
    >>> label("devengado", "en")
    'Accrued spending (devengado)'
    >>> label("coverage_caption", "es", domain="text", by="región natural")
    'Empresas atendidas por región natural'
    """
    validate_literal(lang, LANGS, name="lang")
    pair = CATALOGUE[domain].get(key)
    text = key if pair is None else pair[LANGS.index(lang)]
    return text.format(**fields) if fields else text


def labels(domain: str, lang: str = "es") -> dict[str, str]:
    """Return every label of ``domain`` in ``lang``: key -> text, in catalogue order."""
    validate_literal(lang, LANGS, name="lang")
    return {k: pair[LANGS.index(lang)] for k, pair in CATALOGUE[domain].items()}
