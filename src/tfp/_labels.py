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
        "n_firms": ("Empresas distintas", "Distinct firms"),
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
        "firms_represented": ("Empresas representadas", "Firms represented"),
        "activities_target": (
            "Suma de metas de las actividades",
            "Sum of the activities' targets",
        ),
        "activities_achieved": (
            "Suma de avances de las actividades",
            "Sum of the activities' achievements",
        ),
        "overlap": (
            "Atenciones repetidas (suma de actividades menos empresas del producto)",
            "Repeat services (activities' sum less the product's firms)",
        ),
        "register_firms": (
            "Empresas distintas en el padrón",
            "Distinct firms in the register",
        ),
        "n_activities": ("N° de actividades", "Number of activities"),
        "numerator": ("Numerador", "Numerator"),
        "denominator": ("Denominador", "Denominator"),
        "gap": ("Diferencia con la meta", "Difference from the target"),
        "product_number": ("N° de producto", "Product number"),
        "n_obs": ("Observaciones", "Observations"),
        "check_estimate": ("Estimado de control", "Check estimate"),
        "check_conf_low": ("IC 95 % inf. (control)", "95 % CI low (check)"),
        "check_conf_high": ("IC 95 % sup. (control)", "95 % CI high (check)"),
        "label_es": ("Categoría", "Category (Spanish)"),
        "label_en": ("Categoría (inglés)", "Category"),
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
        "workers": ("Trabajadores", "Workers"),
        "figure": ("Cifra", "Figure"),
        "id": ("Código", "ID"),
        "amount": ("Valor", "Value"),
        "severity": ("Tipo", "Type"),
        "where": ("Dónde", "Where"),
        "message": ("Detalle", "Detail"),
        "finding": ("Hallazgo", "Finding"),
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
    "input": {  # inputs of the production function, named for people
        "capital": ("Capital físico", "Physical capital"),
        "skilled_labour": ("Trabajo calificado", "Skilled labour"),
        "unskilled_labour": ("Trabajo no calificado", "Unskilled labour"),
        "rts": ("Rendimientos a escala", "Returns to scale"),
        "output": ("Producción (valor agregado)", "Output (value added)"),
        "proxy": ("Variable sustituta de la productividad", "Productivity proxy"),
    },
    "indicator": {  # names of the indicators of indicators.json
        "elasticity": (
            "Elasticidad del producto respecto de {input}",
            "Output elasticity of {input}",
        ),
        "rts": ("Rendimientos a escala", "Returns to scale"),
        "tfp_index": (
            "Índice de PTF, {size} (gran empresa = 100)",
            "TFP index, {size} (large firms = 100)",
        ),
        "mipyme_tfp": ("PTF de las MIPYME", "MIPYME TFP"),
        "mype_labour": (
            "Productividad del trabajo de las MYPE",
            "MYPE labour productivity",
        ),
        "growth": ("{name}, variación % anual", "{name}, annual % change"),
        "physical_progress_pct": (
            "Producto {n}: % de avance físico",
            "Product {n}: % physical progress",
        ),
        "execution_pct": (
            "Producto {n}: % de ejecución presupuestal",
            "Product {n}: % budget execution",
        ),
        "progress": (
            "Indicador {id}: % de avance respecto de la meta",
            "Indicator {id}: % progress on the target",
        ),
    },
    "indicator_unit": {  # units of the indicators of indicators.json
        "elasticity": ("elasticidad", "elasticity"),
        "rts": ("suma de elasticidades", "sum of elasticities"),
        "index": ("índice (gran empresa = 100)", "index (large firms = 100)"),
        "tfp_level": ("nivel de PTF", "TFP level"),
        "thousand_soles_per_worker": (
            "miles de soles por trabajador",
            "thousand soles per worker",
        ),
        "pct": ("%", "%"),
        "firms": ("empresas", "firms"),
        "soles": ("soles", "soles"),
    },
    "indicator_source": {  # where an indicator comes from
        "outcome": (
            "estimación de tfp con el panel de empresas del reporte",
            "tfp estimate on the report's firm panel",
        ),
        "programme": (
            "registros del programa (tfp.program)",
            "programme records (tfp.program)",
        ),
        "performance": (
            "registros del programa (tfp.program)",
            "programme records (tfp.program)",
        ),
    },
    "note": {  # notes of the estimation and the indicators (tfp.app.estimation.Note)
        "dropped": (
            "Se dejaron fuera {n:,} de {total:,} filas del panel en {what} ({reasons}).",
            "{n:,} of {total:,} rows of the panel were left out of {what} ({reasons}).",
        ),
        "convergence": (
            "La optimización del estimador no convergió; las cifras de PTF deben leerse con cautela (mensaje del estimador: {message}).",
            "The estimator's optimisation did not converge; read the TFP figures with caution (estimator message: {message}).",
        ),
        "bootstrap_failed": (
            "Algunas réplicas bootstrap fallaron y no entran en los intervalos (mensaje: {message}).",
            "Some bootstrap replicates failed and are left out of the intervals (message: {message}).",
        ),
        "warning": (
            "Aviso del cálculo: {message}",
            "Warning from the computation: {message}",
        ),
        "no_check": (
            "No se pudo calcular el estimador de control {method} ({message}).",
            "The check estimator {method} could not be computed ({message}).",
        ),
        "implausible": (
            "Las participaciones estimadas no son plausibles: los índices de PTF que dependen de ellas no son confiables.",
            "The estimated factor shares are implausible: the TFP indices built on them are not reliable.",
        ),
    },
    "note_what": {  # what rows were left out of
        "estimation": ("la estimación", "the estimation"),
        "tfp_index": ("el índice de PTF", "the TFP index"),
        "labour_productivity": ("la productividad del trabajo", "labour productivity"),
    },
    "drop_reason": {  # why rows were left out
        "missing": ("sin dato", "missing value"),
        "first_period_lag": (
            "primer año de la empresa, sin rezago",
            "firm's first year, no lag",
        ),
        "gap": ("año anterior ausente", "previous year missing"),
        "nonpositive_proxy": ("proxy no positivo", "non-positive proxy"),
        "singleton": ("empresa con un solo año", "firm with a single year"),
        "missing_productivity": ("sin productividad", "no productivity"),
        "nonpositive_productivity": (
            "productividad no positiva",
            "non-positive productivity",
        ),
        "missing_group": ("sin tamaño", "no size class"),
        "missing_time": ("sin año", "no year"),
        "missing_weight": ("sin factor de expansión", "no expansion factor"),
        "zero_weight": ("factor de expansión cero", "zero expansion factor"),
        "nonpositive_weight": (
            "factor de expansión no positivo",
            "non-positive expansion factor",
        ),
        "missing_id": ("sin identificador de empresa", "no firm identifier"),
        "missing_value_added": ("sin valor agregado", "no value added"),
        "missing_workers": ("sin trabajadores", "no workers"),
        "nonpositive_workers": ("sin trabajadores (cero)", "zero workers"),
    },
    "diagnostic": {  # checks of the headline estimate (tfp.app.estimation.Check)
        "convergence": (
            "Convergencia de la optimización: {value} puntos de partida llegaron al mínimo",
            "Convergence of the optimisation: {value} starts reached the minimum",
        ),
        "elasticity": (
            "Elasticidad media del producto respecto de {subject} dentro del rango "
            "plausible ({threshold}): {value:.3f}",
            "Mean output elasticity of {subject} inside the plausible range "
            "({threshold}): {value:.3f}",
        ),
        "returns_to_scale": (
            "Rendimientos a escala dentro del rango plausible ({threshold}): {value:.3f}",
            "Returns to scale inside the plausible range ({threshold}): {value:.3f}",
        ),
        "obs_per_parameter": (
            "Observaciones por parámetro estimado ({threshold}): {value:,.0f}",
            "Observations per estimated parameter ({threshold}): {value:,.0f}",
        ),
        "weak_instruments": (
            "Fuerza de los instrumentos de {subject} (F de Sanderson-Windmeijer, "
            "{threshold}): {value:.1f}",
            "Strength of the instruments of {subject} (Sanderson-Windmeijer F, "
            "{threshold}): {value:.1f}",
        ),
        "kleibergen_paap": (
            "Fuerza conjunta de los instrumentos (F de Kleibergen-Paap, {threshold}): "
            "{value:.1f}",
            "Joint strength of the instruments (Kleibergen-Paap F, {threshold}): "
            "{value:.1f}",
        ),
        "hansen_j": (
            "Prueba J de Hansen de las restricciones de sobreidentificación (valor p "
            "{threshold}): {value:.3f}",
            "Hansen's J test of the over-identifying restrictions (p-value {threshold}): "
            "{value:.3f}",
        ),
        "precision": (
            "Precisión de las elasticidades en su dirección menos determinada "
            "(desviación estándar {threshold}): {value:.3f}",
            "Precision of the elasticities in their least determined direction "
            "(standard deviation {threshold}): {value:.3f}",
        ),
        "competing_minima": (
            "Otros mínimos tan buenos como la estimación (deben ser {threshold}): "
            "{value:.0f}",
            "Other minima as good as the estimate (must be {threshold}): {value:.0f}",
        ),
        "functional_dependence": (
            "Dependencia funcional de {subject} respecto del polinomio que sustituye a "
            "la productividad (R², {threshold}): {value:.3f}",
            "Functional dependence of {subject} on the polynomial standing in for "
            "productivity (R², {threshold}): {value:.3f}",
        ),
        "firms": (
            "Empresas en la etapa final ({threshold}): {value:,.0f}",
            "Firms in the final stage ({threshold}): {value:,.0f}",
        ),
        "state_within": (
            "Variación de {subject} dentro de cada empresa (proporción de su varianza, "
            "{threshold}): {value:.3f}",
            "Within-firm variation of {subject} (share of its variance, {threshold}): "
            "{value:.3f}",
        ),
        "levels": (
            "Mayor valor de {subject}, que debe ser un logaritmo ({threshold}): "
            "{value:.1f}",
            "Largest value of {subject}, which must be a logarithm ({threshold}): "
            "{value:.1f}",
        ),
        "at_start": (
            "La búsqueda se alejó de su punto de partida (distancia): {value:.3g}",
            "The search moved away from its starting point (distance): {value:.3g}",
        ),
        "bootstrap": (
            "Réplicas bootstrap fallidas: {value}",
            "Failed bootstrap replicates: {value}",
        ),
        "estimator_notice": (
            "Aviso del estimador: {message}",
            "Notice from the estimator: {message}",
        ),
        "other": (
            "Chequeo «{name}»: valor {value}, umbral {threshold}",
            "Check “{name}”: value {value}, threshold {threshold}",
        ),
    },
    "status": {  # outcome of a check
        "ok": ("cumple", "passes"),
        "warn": ("revisar", "review"),
        "fail": ("no cumple", "fails"),
    },
    "file": {  # files of the report (tfp.report.build.FILE_NAMES)
        "html": ("reporte_pp0093.html", "report_pp0093.html"),
        "pdf": ("reporte_pp0093.pdf", "report_pp0093.pdf"),
        "xlsx": ("reporte_pp0093.xlsx", "report_pp0093.xlsx"),
        "json": ("indicadores.json", "indicators.json"),
        "csv": ("csv", "csv"),
    },
    "sheet": {  # sheets of the Excel workbook (at most 31 characters)
        "contents": ("Contenido", "Contents"),
        "indicators": ("Indicadores", "Indicators"),
        "factor_shares": ("Participación de factores", "Factor shares"),
        "tfp_by_size": ("PTF por tamaño", "TFP by size"),
        "mipyme_tfp": ("PTF de las MIPYME", "MIPYME TFP"),
        "mype_labour": ("Productividad trabajo MYPE", "MYPE labour productivity"),
        "summary": ("Cifras principales", "Key figures"),
        "annex": ("Anexo", "Annex"),
        "physical_progress": ("Avance físico", "Physical progress"),
        "budget_execution": ("Ejecución presupuestal", "Budget execution"),
        "product_totals": ("Totales por producto", "Product totals"),
        "indicator_progress": ("Indicadores de desempeño", "Performance indicators"),
        "coverage_natural_region": (
            "Cobertura región natural",
            "Coverage natural region",
        ),
        "coverage_department": ("Cobertura departamento", "Coverage department"),
        "coverage_sector": ("Cobertura sector", "Coverage sector"),
        "coverage_size_class": ("Cobertura tamaño", "Coverage firm size"),
        "coverage_unit": ("Cobertura unidad", "Coverage serving unit"),
        "targeting": ("Focalización", "Targeting"),
        "findings": ("Hallazgos", "Findings"),
    },
    "sheet_about": {  # what each sheet of the workbook holds
        "indicators": (
            "Indicadores del reporte (los de indicadores.json) con su valor, unidad y fuente",
            "The report's indicators (those of indicators.json) with value, unit and source",
        ),
        "factor_shares": (
            "Elasticidades del producto estimadas, intervalos, estimador de control y cifras publicadas",
            "Estimated output elasticities, intervals, check estimator and published figures",
        ),
        "tfp_by_size": (
            "Índice de PTF por tamaño de empresa (gran empresa = 100)",
            "TFP index by firm size (large firms = 100)",
        ),
        "mipyme_tfp": (
            "PTF de las MIPYME por año y su variación",
            "MIPYME TFP by year and its change",
        ),
        "mype_labour": (
            "Productividad del trabajo de las MYPE por año",
            "MYPE labour productivity by year",
        ),
        "summary": ("Cifras principales del programa", "The programme's key figures"),
        "annex": (
            "Anexo: metas físicas y ejecución presupuestal por producto y actividad",
            "Annex: physical targets and budget execution by product and activity",
        ),
        "physical_progress": (
            "Avance físico por producto y actividad",
            "Physical progress by product and activity",
        ),
        "budget_execution": (
            "Ejecución presupuestal por producto y actividad",
            "Budget execution by product and activity",
        ),
        "product_totals": (
            "Totales por producto y sumas de sus actividades",
            "Product totals and the sums of their activities",
        ),
        "indicator_progress": (
            "Indicadores de desempeño: valor, meta y avance",
            "Performance indicators: value, target and progress",
        ),
        "coverage_natural_region": (
            "Empresas atendidas por región natural",
            "Firms served by natural region",
        ),
        "coverage_department": (
            "Empresas atendidas por departamento",
            "Firms served by department",
        ),
        "coverage_sector": (
            "Empresas atendidas por sector económico",
            "Firms served by economic sector",
        ),
        "coverage_size_class": (
            "Empresas atendidas por tamaño",
            "Firms served by size",
        ),
        "coverage_unit": (
            "Empresas atendidas por dirección general o entidad",
            "Firms served by serving unit",
        ),
        "targeting": (
            "Focalización y motivos de exclusión",
            "Targeting and reasons for exclusion",
        ),
        "findings": (
            "Contradicciones en los registros",
            "Contradictions in the records",
        ),
    },
    "sheet_column": {  # headers of the workbook's contents and indicators sheets
        "sheet": ("Hoja", "Sheet"),
        "about": ("Contenido", "Contents"),
        "id": ("Código", "Code"),
        "name": ("Nombre", "Name"),
        "value": ("Valor", "Value"),
        "unit": ("Unidad", "Unit"),
        "source": ("Fuente", "Source"),
        "input": ("Factor", "Input"),
        "term": ("Variable", "Variable"),
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
    "targeting_group": {  # rows of the targeting table
        "target": ("Dentro de los criterios", "Inside the criteria"),
        "criterion": ("Incumple el criterio", "Fails the criterion"),
        "reason": ("Motivo completo", "Full reason"),
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
        "per_worker": ("Miles de S/ por trabajador", "Thousand S/ per worker"),
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
            "La productividad total de factores (PTF) se mide con una función de producción Cobb-Douglas del valor agregado en capital físico, trabajo calificado y trabajo no calificado, estimada con {method}. El índice compara la PTF media de cada tamaño de empresa con la de las grandes empresas (= 100).",
            "Total factor productivity (TFP) is measured with a Cobb-Douglas value-added production function in physical capital, skilled labour and unskilled labour, estimated with {method}. The index compares the mean TFP of each firm size with that of large firms (= 100).",
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
            "ATENCIÓN: las participaciones estimadas no son plausibles (fuera de los rangos habituales o con rendimientos a escala lejos de 1); los índices de PTF que dependen de ellas no son confiables. Compare con el estimador de control y revise las opciones del estimador (ver la nota metodológica).",
            "WARNING: the estimated factor shares are implausible (outside the usual ranges, or returns to scale far from 1); the TFP indices built on them are not reliable. Compare with the check estimator and review the estimator's options (see the methods note).",
        ),
        "footer": (
            "Generado con tfp {version}. Fuente de los registros: {source}. Las cifras derivadas (porcentajes, sumas) se calculan a partir de los registros.",
            "Generated with tfp {version}. Source of the records: {source}. Derived figures (percentages, sums) are computed from the records.",
        ),
        "figure": ("Gráfico", "Chart"),
        "table": ("Cuadro", "Table"),
        "highlights": ("Cifras clave", "Key figures"),
        "hl_micro": (
            "Índice de PTF de la microempresa (gran empresa = 100)",
            "TFP index of micro firms (large firms = 100)",
        ),
        "hl_growth": (
            "Variación de la PTF de las MIPYME en {year}",
            "Change in MIPYME TFP in {year}",
        ),
        "summary_caption": ("Cifras principales", "Key figures"),
        "running_title": (
            "PP {programme} · Reporte de seguimiento {year}",
            "PP {programme} · Monitoring report {year}",
        ),
        "page": ("Página", "Page"),
        "of": ("de", "of"),
        "generated": ("Generado con tfp", "Generated with tfp"),
        "simulated_tag": ("Datos de empresas simulados", "Simulated firm data"),
        "col_estimate": ("Estimado ({method})", "Estimate ({method})"),
        "col_ci": ("IC 95 %", "95 % CI"),
        "col_check": ("{method} (control)", "{method} (check)"),
        "col_check_ci": ("IC 95 % {method}", "95 % CI {method}"),
        "col_size": ("Tamaño de empresa", "Firm size"),
        "col_distinct_firms": ("Empresas distintas", "Distinct firms"),
        "col_firm_years": ("Observaciones (empresa-año)", "Observations (firm-years)"),
        "col_firms_sample": ("Empresas en la muestra", "Firms in the sample"),
        "col_firms_represented": ("Empresas representadas", "Firms represented"),
        "col_workers_represented": (
            "Trabajadores representados",
            "Workers represented",
        ),
        "col_labour_value": (
            "Productividad (miles de S/ de {base} por trabajador)",
            "Productivity (thousand S/ of {base} per worker)",
        ),
        "col_ci_growth": ("IC 95 % var. %", "95 % CI, % change"),
        "col_firms_served": ("Empresas atendidas", "Firms served"),
        "col_criterion": ("Criterio", "Criterion"),
        "col_target": ("Meta", "Target"),
        "col_progress": ("% avance", "% progress"),
        "col_devengado": ("Devengado", "Accrued"),
        "col_execution": ("% ejecución", "% executed"),
        "shares_note": (
            "Cada elasticidad indica en qué porcentaje aumenta el valor agregado cuando el factor aumenta 1 %; los rendimientos a escala son su suma para la empresa promedio.",
            "Each elasticity is the percentage by which value added rises when the input rises by 1 %; returns to scale are their sum for the average firm.",
        ),
        "size_note": (
            "Empresas distintas: cada empresa se cuenta una vez en cada tamaño en que aparece (una empresa que cambia de tamaño cuenta en ambos). Observaciones: empresa-año de los cinco años juntos.",
            "Distinct firms: each firm counts once in each size class it appears in (a firm that changes size counts in both). Observations: firm-years of the five years pooled.",
        ),
        "agreement": (
            "Los intervalos de 95 % de {method} y del estimador de control {check} se superponen para todos los factores: ambos estimadores son compatibles.",
            "The 95 % intervals of {method} and of the check estimator {check} overlap for every input: the two estimators agree.",
        ),
        "disagreement": (
            "ATENCIÓN: {method} y el estimador de control {check} discrepan más allá de sus intervalos de 95 % en: {inputs}. Puede deberse a que el trabajo se decide con la misma información que los materiales (LP deja de ser válido) o a un problema de los datos; revise ambas estimaciones antes de publicar.",
            "WARNING: {method} and the check estimator {check} disagree beyond their 95 % intervals for: {inputs}. Labour may be chosen with the same information as materials (then LP is not valid) or the data may have a problem; review both estimates before publishing.",
        ),
        "alt_pair": ("tfp {ours}, publicado {pub}", "tfp {ours}, published {pub}"),
        "alt_size": (
            "Gráfico de barras del índice de PTF por tamaño de empresa (gran empresa = 100), cifra de tfp con su intervalo de 95 % y cifra publicada por PRODUCE: {values}.",
            "Bar chart of the TFP index by firm size (large firms = 100), tfp's figure with its 95 % interval and PRODUCE's published figure: {values}.",
        ),
        "alt_growth": (
            "Gráfico de barras de la variación % anual de la PTF de las MIPYME con intervalos de 95 %, y la variación publicada de 2019 (−11.5 %): {values}.",
            "Bar chart of the annual % change in MIPYME TFP with 95 % intervals, and the published 2019 change (−11.5 %): {values}.",
        ),
        "alt_labour": (
            "Gráfico de líneas de la productividad del trabajo de las MYPE, miles de soles por trabajador, y las cifras publicadas de 2018 y 2019 (44.8 y 46.3): {values}.",
            "Line chart of MYPE labour productivity, thousand soles per worker, and the published 2018 and 2019 figures (44.8 and 46.3): {values}.",
        ),
        "alt_coverage": (
            "Gráfico de barras horizontales del número de empresas atendidas: {values}.",
            "Horizontal bar chart of the number of firms served: {values}.",
        ),
        "activity_short": ("Actividad", "Activity"),
        "alt_progress": (
            "Gráfico de barras horizontales del avance físico de cada actividad en % de su meta anual (línea en 100 %): {values}.",
            "Horizontal bar chart of each activity's physical progress as % of its annual target (line at 100 %): {values}.",
        ),
        "alt_budget_pair": ("PIM {pim}, devengado {dev}", "PIM {pim}, accrued {dev}"),
        "alt_budget": (
            "Gráfico de barras del PIA, PIM y devengado de cada producto en millones de soles: {values}.",
            "Bar chart of each product's initial budget (PIA), modified budget (PIM) and accrued spending, in million soles: {values}.",
        ),
        "alt_indicator_pair": (
            "valor {value}, meta {target}",
            "value {value}, target {target}",
        ),
        "alt_indicators": (
            "Gráfico de barras de cada indicador de desempeño, valor y meta: {values}.",
            "Bar chart of each performance indicator, value and target: {values}.",
        ),
        "targeting_note": (
            "Una empresa puede incumplir varios criterios; «sin información» cuenta las empresas sin alguno de los datos necesarios.",
            "A firm can fail several criteria; «missing data» counts firms lacking some of the data needed.",
        ),
        "findings_caption": ("Hallazgos en los registros", "Findings in the records"),
        "annex_intro": (
            "Cuadros del anexo del reporte de seguimiento, con los porcentajes recalculados a partir de los registros.",
            "The follow-up report's annex tables, with the percentages recomputed from the records.",
        ),
        "annex_physical": (
            "Anexo A. Metas físicas por producto y actividad",
            "Annex A. Physical targets by product and activity",
        ),
        "annex_budget": (
            "Anexo B. Ejecución presupuestal por producto y actividad (soles)",
            "Annex B. Budget execution by product and activity (soles)",
        ),
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
        "panel_simulated": (
            "Datos de empresas: panel SIMULADO parecido a la Encuesta Económica Anual (ENE), incluido en tfp: {n_firms:,} empresas por año, {first}–{last}, semilla {seed}. Sus elasticidades verdaderas son las que publica PRODUCE; no son datos reales.",
            "Firm data: a SIMULATED panel like the Annual Economic Survey (ENE), shipped with tfp: {n_firms:,} firms a year, {first}–{last}, seed {seed}. Its true elasticities are those PRODUCE publishes; these are not real data.",
        ),
        "panel_file": (
            "Datos de empresas: archivo {name} ({rows:,} filas).",
            "Firm data: file {name} ({rows:,} rows).",
        ),
        "estimator": (
            "Estimador principal: {method}. Función de producción Cobb-Douglas del valor agregado real (en logaritmos) con capital físico como variable de estado, trabajo calificado y no calificado como insumos libres y los materiales como variable proxy de la productividad; {nobs:,} observaciones (empresa-año) de {n_firms:,} empresas distintas; cálculo en {seconds:.1f} s.",
            "Headline estimator: {method}. Cobb-Douglas production function of real value added (in logs) with physical capital as the state variable, skilled and unskilled labour as free inputs and materials as the proxy for productivity; {nobs:,} observations (firm-years) of {n_firms:,} distinct firms; computed in {seconds:.1f} s.",
        ),
        "why_default": (
            "Por qué {method}: en {draws} paneles simulados con el diseño del panel incluido, {short} tuvo el menor error del índice de PTF por tamaño (raíz del error cuadrático medio de {rmse_index:.1f} puntos, frente a {rmse_index_acf:.1f} de ACF) y dio estimaciones no plausibles en {implausible:.1f} % de los paneles (ACF: {implausible_acf:.1f} %). Sus intervalos de 95 % cubrieron el valor verdadero en {coverage_low:.1f} a {coverage_high:.1f} % de los paneles, algo menos que lo nominal: léanse como aproximados. ACF se muestra como estimador de control: sigue siendo válido si el trabajo se decide con la misma información que los materiales, caso en que {short} no lo es; si ambos discrepan más allá de sus intervalos, el reporte lo indica.",
            "Why {method}: on {draws} simulated panels of the embedded panel's design, {short} had the smallest error of the TFP index by size (root mean squared error of {rmse_index:.1f} points, against {rmse_index_acf:.1f} for ACF) and gave implausible estimates on {implausible:.1f} % of the panels (ACF: {implausible_acf:.1f} %). Its 95 % intervals covered the true value on {coverage_low:.1f} to {coverage_high:.1f} % of the panels, somewhat less than nominal: read them as approximate. ACF is shown as the check estimator: it stays valid when labour is chosen with the same information as materials, where {short} is not; if the two disagree beyond their intervals, the report says so.",
        ),
        "why_config": (
            "Estimador elegido en la configuración del reporte ({method}); el estimador por defecto se eligió con un experimento de Monte Carlo (ver la documentación de tfp).",
            "Estimator chosen in the report's configuration ({method}); the default estimator was chosen by a Monte Carlo experiment (see tfp's documentation).",
        ),
        "options": (
            "Opciones de {method}: {options}.",
            "Options of {method}: {options}.",
        ),
        "check": (
            "Estimador de control: {method} ({options}).",
            "Check estimator: {method} ({options}).",
        ),
        "bootstrap": (
            "Errores estándar e intervalos de 95 %: bootstrap por empresa con {reps} réplicas (semilla {seed}), el mismo para ambos estimadores; intervalos por percentiles de las réplicas.",
            "Standard errors and 95 % intervals: firm bootstrap with {reps} replicates (seed {seed}), the same for both estimators; intervals from the replicates' percentiles.",
        ),
        "no_bootstrap": (
            "Sin errores estándar ni intervalos (0 réplicas bootstrap).",
            "No standard errors or intervals (0 bootstrap replicates).",
        ),
        "index_weighted": (
            "Índice de PTF: media de los niveles de PTF de las empresas de cada tamaño (Ley 30056, según las ventas del año en UIT), ponderada por el factor de expansión de la encuesta, con los años juntos, relativa a la gran empresa (= 100); sus intervalos reflejan la incertidumbre de las elasticidades.",
            "TFP index: mean of the TFP levels of the firms of each size class (Ley 30056, by the year's sales in UIT), weighted by the survey's expansion factor, years pooled, relative to large firms (= 100); its intervals reflect the uncertainty of the elasticities.",
        ),
        "index_unweighted": (
            "Índice de PTF: media de los niveles de PTF de las empresas de cada tamaño (Ley 30056, según las ventas del año en UIT), sin ponderar, con los años juntos, relativa a la gran empresa (= 100); sus intervalos reflejan la incertidumbre de las elasticidades.",
            "TFP index: unweighted mean of the TFP levels of the firms of each size class (Ley 30056, by the year's sales in UIT), years pooled, relative to large firms (= 100); its intervals reflect the uncertainty of the elasticities.",
        ),
        "labour_weighted": (
            "Productividad del trabajo: valor agregado real (deflactado con el IPC de Lima) por trabajador, calificado y no calificado, del conjunto de las MYPE, ponderado por el factor de expansión.",
            "Labour productivity: real value added (deflated with the Lima CPI) per worker, skilled and unskilled, of all MYPE together, weighted by the expansion factor.",
        ),
        "labour_unweighted": (
            "Productividad del trabajo: valor agregado real (deflactado con el IPC de Lima) por trabajador, calificado y no calificado, del conjunto de las MYPE, sin ponderar.",
            "Labour productivity: real value added (deflated with the Lima CPI) per worker, skilled and unskilled, of all MYPE together, unweighted.",
        ),
        "published": (
            "Cifras publicadas: PRODUCE-OGEIEE, Reporte de seguimiento del PP 0093 2020, sección «Productividad de las MIPYME» (ENE 2015–2019).",
            "Published figures: PRODUCE-OGEIEE, PP 0093 2020 follow-up report, section «Productividad de las MIPYME» (ENE 2015–2019).",
        ),
        "records": (
            "Registros del programa: {source}.",
            "Programme records: {source}.",
        ),
        "config": ("Configuración: {source}.", "Configuration: {source}."),
        "diagnostics": (
            "Diagnósticos del estimador principal",
            "Diagnostics of the headline estimator",
        ),
    },
    "option": {  # estimator options in words
        "defaults": ("opciones por defecto de tfp", "tfp's default options"),
        "poly_degree": (
            "polinomio de grado {degree} en la primera etapa",
            "polynomial of degree {degree} in the first stage",
        ),
        "markov_1": (
            "productividad con ley de movimiento AR(1)",
            "productivity follows an AR(1) law of motion",
        ),
        "markov": (
            "ley de movimiento de la productividad: polinomio de grado {degree}",
            "law of motion of productivity: polynomial of degree {degree}",
        ),
        "time_dummies": ("efectos de año", "year effects"),
        "extra_instruments": (
            "capital rezagado como instrumento adicional",
            "lagged capital as an extra instrument",
        ),
        "two_step": ("GMM en dos etapas", "two-step GMM"),
        "nonnegative": (
            "se descartan soluciones con elasticidades negativas",
            "solutions with negative elasticities are set aside",
        ),
        "exit_correction": (
            "corrección por salida de empresas",
            "correction for firm exit",
        ),
        "optimizer": (
            "optimización {method} desde {starts} puntos de partida",
            "{method} optimisation from {starts} starting points",
        ),
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
