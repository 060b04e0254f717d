"""The results chain of a budget programme (PP 0093): results, products, activities, indicators.

A Peruvian *programa presupuestal* (DL 1440 art. 16; Directiva 0005-2020-EF/50.01) links a
final result to a specific result, measured by outcome indicators, and delivers *products*
(code, name, responsible units, unit of measure) through *activities*. Products have
performance indicators with an annual target. These frozen records describe that chain; the
yearly figures (targets, achievements, budget, indicator values) live in
:class:`tfp.program.ProgramRecords`.

References
----------
PRODUCE-OGEIEE (2021). *Reporte de seguimiento del Programa Presupuestal 0093 "Desarrollo
Productivo de las Empresas", año 2020*. Lima: Ministerio de la Producción.
"""

from __future__ import annotations

from dataclasses import dataclass

from tfp._labels import CATALOGUE
from tfp._labels import label as _label
from tfp._literals import Lang

__all__ = [
    "LABELS",
    "UNITS",
    "Activity",
    "Framework",
    "Indicator",
    "Product",
    "label",
]

#: Units of measure of physical targets: code -> (Spanish, English) display label.
UNITS = CATALOGUE["unit"]

#: Display labels of the columns and codes of tables: name -> (es, en) (the catalogue's).
LABELS = CATALOGUE["column"]


def label(name: str, lang: Lang = "es") -> str:
    """Return the display label of a column or code in Spanish (``"es"``) or English.

    Unknown names are returned unchanged, so labels can be applied to any column.

    Examples
    --------
    >>> label("devengado", "en")
    'Accrued spending (devengado)'
    """
    return _label(name, lang, domain="unit" if name in UNITS else "column")


@dataclass(frozen=True)
class Product:
    """A product of the programme.

    Attributes
    ----------
    code : str
        Budget code (e.g. ``"3000534"``).
    number : int
        Position in the programme (Producto 1, 2, ...).
    name : str
        Official name, in Spanish.
    responsible : tuple of str
        Responsible units (e.g. ``("DGPAR", "DGAAMI")``).
    unit : {'firms', 'actions'}
        Unit of measure of the physical target.
    """

    code: str
    number: int
    name: str
    responsible: tuple[str, ...]
    unit: str


@dataclass(frozen=True)
class Activity:
    """An activity of a product.

    Attributes
    ----------
    code : str
        Budget code (e.g. ``"5005078"``).
    number : str
        Number within the programme, ``"<product>.<activity>"`` (e.g. ``"1.1"``).
    product : str
        Code of the product the activity belongs to.
    name : str
        Official name, in Spanish.
    responsible : tuple of str
        Responsible units.
    unit : {'firms', 'actions'}
        Unit of measure of the physical target.
    counts_to_product : bool
        Whether the firms it serves count towards its product's physical target (difusión
        activities and activities measured in actions usually do not).
    """

    code: str
    number: str
    product: str
    name: str
    responsible: tuple[str, ...]
    unit: str
    counts_to_product: bool


@dataclass(frozen=True)
class Indicator:
    """A performance indicator of a product.

    Attributes
    ----------
    id : str
        Identifier (e.g. ``"P1-1"``).
    product : str
        Code of the product it measures.
    name : str
        Definition, in Spanish, as the programme states it.
    unit : str
        Unit of the value and target (``"%"`` for percentages).
    """

    id: str
    product: str
    name: str
    unit: str


@dataclass(frozen=True)
class Framework:
    """The results chain: final and specific result, outcome indicators, products, activities.

    Attributes
    ----------
    programme : str
        Programme code (``"0093"``).
    name : str
        Programme name.
    final_result, specific_result : str
        The results the programme pursues.
    outcome_indicators : tuple of str
        Indicators of the specific result (for PP 0093: the TFP index by size class, MIPYME
        TFP and MYPE labour productivity, computed by ``tfp.productivity``).
    products : tuple of Product
    activities : tuple of Activity
    indicators : tuple of Indicator
    """

    programme: str
    name: str
    final_result: str
    specific_result: str
    outcome_indicators: tuple[str, ...]
    products: tuple[Product, ...]
    activities: tuple[Activity, ...]
    indicators: tuple[Indicator, ...]

    def product(self, code: str) -> Product:
        """Return the product with budget code ``code`` (KeyError if there is none)."""
        for p in self.products:
            if p.code == code:
                return p
        raise KeyError(code)

    def activity(self, code: str) -> Activity:
        """Return the activity with budget code ``code`` (KeyError if there is none)."""
        for a in self.activities:
            if a.code == code:
                return a
        raise KeyError(code)

    def activities_of(self, product: str) -> tuple[Activity, ...]:
        """Return the activities of the product with code ``product``, in programme order."""
        return tuple(a for a in self.activities if a.product == product)

    def __str__(self) -> str:
        lines = [
            f"Programa Presupuestal {self.programme}: {self.name}",
            f"  Resultado final: {self.final_result}",
            f"  Resultado específico: {self.specific_result}",
        ]
        lines += [f"    indicador: {name}" for name in self.outcome_indicators]
        for p in self.products:
            lines.append(
                f"  Producto {p.number} ({p.code}): {p.name} [{'/'.join(p.responsible)}]"
            )
            for a in self.activities_of(p.code):
                lines.append(
                    f"    {a.number} ({a.code}): {a.name} [{'/'.join(a.responsible)}]"
                )
            for i in self.indicators:
                if i.product == p.code:
                    lines.append(f"    indicador {i.id}: {i.name}")
        return "\n".join(lines)
