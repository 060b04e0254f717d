"""Options of ``method="cost-share"``: output elasticities calibrated from input cost shares."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from tfp._checks import check_real
from tfp._frozen import FrozenDict
from tfp._literals import validate_literal
from tfp.exceptions import SpecificationError
from tfp.options._base import MethodOptions

__all__ = ["AVERAGES", "CostShareOptions"]

#: How per-observation shares are summarised into one elasticity per input.
AVERAGES: tuple[str, ...] = ("mean", "median")


@dataclass(frozen=True)
class CostShareOptions(MethodOptions):
    """Options of ``method="cost-share"`` (index-number calibration, as PRODUCE does).

    The elasticity of input ``j`` is ``rts · cost_j / Σ_i cost_i``, computed by firm-year
    and then averaged over the sample. Under cost minimisation with constant returns each
    input's cost share equals its output elasticity (Solow 1957; Hall 1988); ``rts`` scales
    the shares when the user knows the returns to scale.

    Parameters
    ----------
    costs : mapping of str to str
        Input name (as given in ``free``/``state``/``flexible``) → column with that input's
        cost **in levels** (e.g. wage bill, user cost of capital, materials spending), for
        every input of the specification. Costs must be non-negative.
    returns_to_scale : float, default 1.0
        Multiplies every share (> 0).
    average : {'mean', 'median'}, default 'mean'
        How firm-year shares are summarised.

    Notes
    -----
    Only the Cobb-Douglas form is supported (cost shares give elasticities, not translog
    coefficients). Rows whose total cost is not positive are left out with reason
    ``"nonpositive"``. ``results.details.shares`` holds the per-observation shares.

    References
    ----------
    Solow, R. M. (1957). Technical change and the aggregate production function. *Review of
    Economics and Statistics*, 39(3), 312-320.

    Hall, R. E. (1988). The relation between price and marginal cost in U.S. industry.
    *Journal of Political Economy*, 96(5), 921-947.
    """

    methods: ClassVar[tuple[str, ...]] = ("cost-share",)
    costs: Mapping[str, str] = field(default_factory=dict)
    returns_to_scale: float = 1.0
    average: str = "mean"

    def __post_init__(self) -> None:
        if not isinstance(self.costs, Mapping) or not self.costs:
            raise SpecificationError(
                f"CostShareOptions.costs must be a non-empty mapping input -> cost column, "
                f"got {self.costs!r}",
                fix='pass costs={"l": "wage_bill", "k": "capital_cost"} naming a cost '
                "column for every input",
            )
        for key, col in self.costs.items():
            if not isinstance(key, str) or not isinstance(col, str):
                raise SpecificationError(
                    f"CostShareOptions.costs must map input names (str) to column names "
                    f"(str), got {key!r}: {col!r}",
                    fix="use column names as strings",
                )
        cols = list(self.costs.values())
        if len(set(cols)) != len(cols):
            raise SpecificationError(
                f"CostShareOptions.costs names a cost column twice: {cols}",
                fix="give each input its own cost column",
            )
        object.__setattr__(self, "costs", FrozenDict(self.costs))
        object.__setattr__(
            self,
            "returns_to_scale",
            check_real(
                self.returns_to_scale,
                name="CostShareOptions.returns_to_scale",
                low=0.0,
                low_open=True,
            ),
        )
        validate_literal(self.average, AVERAGES, name="CostShareOptions.average")

    def columns(self) -> tuple[str, ...]:
        """The cost columns, in the order of ``costs``."""
        return tuple(self.costs.values())
