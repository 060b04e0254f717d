"""PP 0093 results layer: results chain, yearly records, derived figures and checks.

Everything derived (physical progress, budget execution, product totals, indicator progress,
shares, year-on-year changes, coverage of firms served) is computed from raw records and
never read as input; :func:`check_records` reports records that contradict each other.
"""

from __future__ import annotations

from tfp.program.checks import (
    CHECKS,
    Finding,
    check_records,
    finding_sentence,
    findings_frame,
)
from tfp.program.coverage import COVERAGE_BY, coverage, firm_profile, targeting_summary
from tfp.program.execution import (
    annex_table,
    budget_execution,
    display,
    indicator_progress,
    physical_progress,
    product_totals,
    year_on_year,
)
from tfp.program.framework import (
    LABELS,
    UNITS,
    Activity,
    Framework,
    Indicator,
    Product,
    label,
)
from tfp.program.pp0093 import load_pp0093_2020, published_outcomes
from tfp.program.records import SCHEMAS, ColumnSpec, ProgramRecords, read_records
from tfp.program.records import (
    __getattr__ as __getattr__,
)  # ProgrammeRecords, deprecated

__all__ = [
    "CHECKS",
    "COVERAGE_BY",
    "LABELS",
    "SCHEMAS",
    "UNITS",
    "Activity",
    "ColumnSpec",
    "Finding",
    "Framework",
    "Indicator",
    "Product",
    "ProgramRecords",
    "annex_table",
    "budget_execution",
    "check_records",
    "coverage",
    "display",
    "finding_sentence",
    "findings_frame",
    "firm_profile",
    "indicator_progress",
    "label",
    "load_pp0093_2020",
    "physical_progress",
    "product_totals",
    "published_outcomes",
    "read_records",
    "targeting_summary",
    "year_on_year",
]
