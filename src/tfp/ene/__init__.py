"""Encuesta Nacional de Empresas (ENE, INEI/PRODUCE) module files → firm-year panels.

* :func:`build_panel` — read an edition's module files (.sav/.dta/.dbf/.csv), keep usable
  interviews, construct output, value added, capital, investment, skilled and unskilled
  workers and the wage bill, deflate to constant soles and pool editions, with a report of
  every dropped firm and every formula.
* :func:`load_layout` and :data:`ENE_2015` — edition layouts as data (files, variables and
  recipes, with source status); supply your own as a dict, YAML, TOML or JSON file.

See ``docs/how-to/ene-files.md``.
"""

from __future__ import annotations

from tfp.ene.build import (
    DEFAULT_POSITIVE,
    DROP_REASONS,
    MONEY_VARIABLES,
    BuildReport,
    ENEPanel,
    build_panel,
)
from tfp.ene.layouts import ENE_2015, LAYOUTS, MODULES, Layout, load_layout

__all__ = [
    "DEFAULT_POSITIVE",
    "DROP_REASONS",
    "ENE_2015",
    "LAYOUTS",
    "MODULES",
    "MONEY_VARIABLES",
    "BuildReport",
    "ENEPanel",
    "Layout",
    "build_panel",
    "load_layout",
]
