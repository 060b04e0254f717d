"""Charts return matplotlib Figures with the report's labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tfp.exceptions import SpecificationError
from tfp.productivity import plot_index_by_group, plot_over_time, tfp_index


@pytest.fixture
def table() -> pd.DataFrame:
    df = pd.DataFrame(
        {
            "size_class": ["micro", "small", "medium", "large"] * 2,
            "year": [2018] * 4 + [2019] * 4,
            "omega": np.log([14.0, 52.8, 79.6, 100.0, 15.0, 50.0, 80.0, 100.0]),
        }
    )
    return tfp_index(df, productivity="omega", time="year")


def test_bars_by_size(table):
    from matplotlib.figure import Figure

    fig = plot_index_by_group(table, time=2018)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "Micro",
        "Pequeña",
        "Mediana",
        "Grande",
    ]
    assert [round(p.get_height(), 1) for p in ax.patches] == [14.0, 52.8, 79.6, 100.0]
    assert "Grande = 100" in ax.get_title()
    en = plot_index_by_group(table, time=2019, lang="en")
    assert "Large = 100" in en.axes[0].get_title()


def test_lines_over_time(table):
    fig = plot_over_time(table, lang="en")
    ax = fig.axes[0]
    assert len(ax.lines) == 4
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Micro",
        "Small",
        "Medium",
        "Large",
    ]


def test_plot_errors(table):
    with pytest.raises(SpecificationError, match="several periods"):
        plot_index_by_group(table)
    with pytest.raises(SpecificationError, match=r"time=2030 is not in the table"):
        plot_index_by_group(table, time=2030)
    with pytest.raises(SpecificationError, match=r"needs the columns \['nope'\]"):
        plot_over_time(table, value="nope")
