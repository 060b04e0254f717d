"""The application's inputs: the programme records and the firm panel named by the config.

A panel read from a file is checked column by column (present, numeric) and gets the Ley 30056
size class from sales and the year when it has no size column: Peru's rule is applied here,
where the panel is known to be Peruvian, not in :mod:`tfp.productivity`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from tfp.app.config import PanelColumns, PipelineConfig
from tfp.datasets import synthetic_ene
from tfp.exceptions import DataError
from tfp.peru import size_class
from tfp.program import ProgramRecords, load_pp0093_2020, read_records

__all__ = ["FirmPanel", "load_panel", "load_records"]


class FirmPanel(NamedTuple):
    """The firm panel, the true shares when it is simulated, and where it came from.

    ``source`` holds the facts the methods note states: ``kind`` (``"simulated"`` with
    ``n_firms``, ``first``, ``last``, ``seed``; ``"file"`` with ``name`` and ``rows``).
    """

    data: pd.DataFrame
    truth: Mapping[str, float] | None
    source: Mapping[str, Any]


def load_records(cfg: PipelineConfig) -> ProgramRecords:
    """The records the config names, or the embedded 2020 records with the register."""
    return load_pp0093_2020() if cfg.records is None else read_records(cfg.records)


def load_panel(cfg: PipelineConfig) -> FirmPanel:
    """The panel file the config names (checked), or the simulated ENE-like panel."""
    if cfg.panel is None:
        sim = synthetic_ene(n_firms=cfg.n_firms, years=cfg.years, seed=cfg.panel_seed)
        source = {"kind": "simulated", "n_firms": cfg.n_firms, "seed": cfg.panel_seed}
        source |= {"first": cfg.years[0], "last": cfg.years[-1]}
        return FirmPanel(sim.data, dict(sim.truth.params), source)
    data = _read(cfg.panel, cfg.columns)
    _check_columns(data, cfg.columns, str(cfg.panel))
    return FirmPanel(
        _with_size_class(data, cfg.columns),
        None,
        {"kind": "file", "name": cfg.panel.name, "rows": len(data)},
    )


def _read(path: Path, cols: PanelColumns) -> pd.DataFrame:
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return pd.read_csv(path, dtype={cols.id: str})
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise DataError(
            f"cannot read {str(path)!r} as CSV ({err})",
            fix="save it as UTF-8 CSV with a header row",
        ) from None
    except ImportError:
        raise DataError(
            f"reading the Parquet file {str(path)!r} needs pyarrow, which is not installed",
            fix="pip install pyarrow, or save the panel as CSV",
        ) from None
    raise DataError(
        f"unknown panel format {suffix!r} of {str(path)!r}",
        fix="use a .csv or .parquet file",
    )


def _check_columns(data: pd.DataFrame, cols: PanelColumns, where: str) -> None:
    """Every required column is present, and numeric where it must be (file, row, column)."""
    for c in cols.required():
        if c not in data.columns:
            shown = list(map(str, data.columns))[:12]
            raise DataError(
                f"the panel {where!r} has no column {c!r} (columns: {shown})",
                column=c,
                fix="rename the column or name it in the [panel] table of the config",
            )
    for c in cols.numeric():
        s = data[c]
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            continue
        num = pd.to_numeric(s, errors="coerce")
        bad = num.isna() & s.notna() & (s.astype(str).str.strip() != "")
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(
                f"{s.iloc[i]!r} in file {where!r}, row {i + 2}, is not a number",
                column=c,
                fix="use plain numbers (no thousands separators or currency symbols)",
            )


def _with_size_class(data: pd.DataFrame, cols: PanelColumns) -> pd.DataFrame:
    """Add the Ley 30056 size class from sales and the year when the panel has none."""
    if cols.size_class in data.columns:
        return data
    sizes = size_class(pd.to_numeric(data[cols.sales]), data[cols.time])
    return data.assign(**{cols.size_class: sizes})
