"""PP 0093's embedded 2020 records and the outcome figures its follow-up report published.

The files are in ``tfp/datasets/data/pp0093_2020/`` (provenance in its ``SOURCE.md``):
:func:`load_pp0093_2020` reads the transcribed records (with the synthetic register of
:func:`tfp.datasets.synthetic_register`), :func:`published_outcomes` the outcome figures
PRODUCE printed (from the ENE, shown beside tfp's own in the report).

References
----------
PRODUCE-OGEIEE (2021). *Reporte de seguimiento del Programa Presupuestal 0093 "Desarrollo
Productivo de las Empresas", año 2020*. Lima: Ministerio de la Producción.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from tfp.datasets.pp0093 import data_dir, synthetic_register
from tfp.program.records import ProgramRecords, read_records

__all__ = ["load_pp0093_2020", "published_outcomes"]


def load_pp0093_2020(*, register: bool = True) -> ProgramRecords:
    """Load the PP 0093 records of 2020 transcribed from PRODUCE-OGEIEE's follow-up report.

    Parameters
    ----------
    register : bool
        Attach the synthetic register of firms served (``synthetic_register(seed=0)``).

    Returns
    -------
    ProgramRecords
        Products, activities (meta, avance, PIA, PIM, devengado), the four performance
        indicators, the figures the report prints (``published``) and, by default, the
        synthetic register.

    Examples
    --------
    >>> rec = load_pp0093_2020(register=False)
    >>> rec.activities["devengado"].sum()
    np.float64(34443915.0)
    """
    return _load(register)


@lru_cache(maxsize=2)
def _load(register: bool) -> ProgramRecords:
    records = read_records(data_dir())
    if register:
        records = records.replace(register=synthetic_register(seed=0))
    return records


def published_outcomes() -> pd.DataFrame:
    """Return the outcome figures of PP 0093's 2020 follow-up report, with their source.

    Returns
    -------
    DataFrame
        Columns ``indicator, group, value, unit, period, source``: ``indicator`` is one of
        ``factor_share`` (group: ``capital``, ``skilled_labour``, ``unskilled_labour``),
        ``tfp_index`` (group: size class, large = 100), ``mipyme_tfp``,
        ``mipyme_tfp_growth_pct``, ``mype_labour``, ``mype_labour_growth_pct`` (group: the
        year, as text); ``source`` gives the lines of the seed text.

    Examples
    --------
    >>> pub = published_outcomes()
    >>> pub.loc[pub["indicator"] == "tfp_index", "value"].tolist()
    [14.0, 52.8, 79.6, 100.0]
    """
    return pd.read_csv(
        data_dir() / "published_outcomes.csv", dtype={"group": str}, encoding="utf-8"
    )
