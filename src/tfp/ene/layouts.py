"""ENE edition layouts as data: which file holds each module and how variables are built.

A layout is a plain mapping (Python dict, YAML, TOML or JSON) with this schema::

    name: ene2015                 # free label
    edition: 2015                 # survey year it was written for (informative)
    reference_year_offset: -1     # the survey of year t describes year t - 1
    id: IRUC                      # firm key, present in every module
    id_width: 11                  # numeric ids are zero-padded to this width
    modules:                      # module -> file stem (any of .sav/.dta/.dbf/.csv)
      identification: {file: 01_EMPRESA_IDENTIFICA}
      labour: {file: 02_MODULO_I_II_III}
      economic: {file: 05_MODULO_VII_VIII_IX}
      assets: {file: 09_MODULO_IX_6, long_key: M9P6_ID, long_rows: [1, 2, 3]}
    identification:               # columns of the identification module
      department: CCDD
      ...
    usable_results: [1, 2]        # C1RESULTFINAL codes of usable interviews
    sales_ranges: {1: micro, 2: small, 3: medium_large}
    variables:                    # constructed variable -> recipe
      sales: {module: economic, formula: "M9P4_1 + M9P4_4 + M9P4_5",
              status: SINGLE, note: "..."}
      ...

``formula`` is a sum of terms ``[number *] COLUMN [* COLUMN ...]`` joined by ``+`` and ``-``;
in a ``derived`` variable the names are earlier variables. A term with a missing factor counts
as 0 unless every term is missing, in which case the variable is missing (so an empty block
of the questionnaire gives a missing value, not a zero). Long-format modules
(``long_key``) are summed over ``long_rows`` per firm before the formulas are applied.

Status tags follow PERU_DOMAIN.md: CONFIRMED, SINGLE (one public source), INFERRED (a
documented reading, not an INEI/PRODUCE definition). Every INFERRED item is a field you can
override: ``load_layout({"base": "ene2015", "variables": {"sales": {"formula": "M9P4_7"}}})``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from tfp._frozen import FrozenDict
from tfp.exceptions import SpecificationError

__all__ = [
    "ENE_2015",
    "LAYOUTS",
    "MODULES",
    "Formula",
    "Layout",
    "ModuleSpec",
    "VariableSpec",
    "load_layout",
]

#: Modules every layout must name (``identification`` holds the id and the strata).
MODULES: tuple[str, ...] = ("identification", "labour", "economic", "assets")
#: Fields of the identification block a layout must map to columns.
_ID_FIELDS: tuple[str, ...] = (
    "department",
    "province",
    "district",
    "ciiu",
    "sales_range",
    "result",
    "weight",
)
#: Variables a layout must define (the builder's output columns come from these).
REQUIRED_VARIABLES: tuple[str, ...] = (
    "sales",
    "gross_output",
    "intermediate",
    "value_added",
    "capital",
    "capital_end",
    "investment",
    "workers",
    "skilled_occupation",
    "unskilled_occupation",
    "skilled_education",
    "unskilled_education",
    "wage_bill",
)
_STATUSES = ("CONFIRMED", "SINGLE", "DERIVED", "INFERRED", "USER")

_TOLENTINO = (
    "E. Tolentino's ENE-ET do-files (co-author of PRODUCE's ENE 2015 report), "
    "PERU_DOMAIN.md §3.2"
)

#: ENE 2015 (reference year 2014) as documented in PERU_DOMAIN.md §3.2. File and variable
#: names are SINGLE-to-CONFIRMED (two independent public codebases agree); the meaning of
#: the individual M9P4_*/M9P5_* items was not found, so the recipes are those of one
#: PRODUCE-affiliated analyst (SINGLE) or our reading (INFERRED).
ENE_2015: Mapping[str, Any] = MappingProxyType(
    {
        "name": "ene2015",
        "edition": 2015,
        "reference_year_offset": -1,
        "id": "IRUC",
        "id_width": 11,
        "modules": {
            "identification": {"file": "01_EMPRESA_IDENTIFICA"},
            "labour": {"file": "02_MODULO_I_II_III"},
            "economic": {"file": "05_MODULO_VII_VIII_IX"},
            "assets": {
                "file": "09_MODULO_IX_6",
                "long_key": "M9P6_ID",
                # 1 land and buildings, 2 machinery/equipment/furniture/tools, 3 other;
                # row 4 is their total and is not summed again.
                "long_rows": [1, 2, 3],
            },
        },
        "identification": {
            "department": "CCDD",
            "province": "CCPP",
            "district": "CCDI",
            "ciiu": "C14_COD",
            "sales_range": "C20",
            "result": "C1RESULTFINAL",
            "weight": "FACTOR_EXP",
        },
        "usable_results": [1, 2],
        "sales_ranges": {1: "micro", 2: "small", 3: "medium_large"},
        "variables": {
            "sales": {
                "module": "economic",
                "formula": "M9P4_1 + M9P4_4 + M9P4_5",
                "status": "SINGLE",
                "note": f"ventas; item wording not published; recipe of {_TOLENTINO}",
            },
            "gross_output": {
                "module": "economic",
                "formula": "M9P4_3 + M9P4_4 + M9P4_5",
                "status": "SINGLE",
                "note": f"valor bruto de producción; recipe of {_TOLENTINO}",
            },
            "intermediate": {
                "module": "economic",
                "formula": "M9P5_1 + M9P5_9",
                "status": "SINGLE",
                "note": f"consumo intermedio; recipe of {_TOLENTINO}",
            },
            "value_added": {
                "module": "derived",
                "formula": "gross_output - intermediate",
                "status": "SINGLE",
                "note": f"valor agregado = VBP - CI; {_TOLENTINO}",
            },
            "capital": {
                "module": "assets",
                "formula": "M9P6_1",
                "status": "INFERRED",
                "note": (
                    "opening book value of fixed assets (saldo inicial, rows 1-3): the "
                    "stock in place during the year, predetermined as OP/LP/ACF assume; "
                    "use capital_end or an average by overriding the formula"
                ),
            },
            "capital_end": {
                "module": "assets",
                "formula": "M9P6_5",
                "status": "SINGLE",
                "note": f"closing book value (saldo final, rows 1-3); {_TOLENTINO}",
            },
            "investment": {
                "module": "assets",
                "formula": "M9P6_2 + M9P6_3 - M9P6_4",
                "status": "INFERRED",
                "note": (
                    "new plus used assets bought minus sales/retirements (rows 1-3); "
                    "Tolentino uses saldo final - saldo inicial, which also moves with "
                    "depreciation and revaluation"
                ),
            },
            "workers": {
                "module": "labour",
                "formula": "M3P1_6A + M3P1_12A",
                "status": "SINGLE",
                "note": (
                    "paid staff (rows 1-5) plus owners, unpaid family, interns, fee-based "
                    f"and commission staff (rows 7-11); {_TOLENTINO}"
                ),
            },
            "skilled_occupation": {
                "module": "labour",
                "formula": "M3P1_1A + M3P1_2A + M3P1_4A + M3P1_7A",
                "status": "INFERRED",
                "note": (
                    "executives, permanent and temporary employees, and owners (who run "
                    "the firm); PRODUCE's own split is not public (PERU_DOMAIN §3.2)"
                ),
            },
            "unskilled_occupation": {
                "module": "labour",
                "formula": (
                    "M3P1_3A + M3P1_5A + M3P1_8A + M3P1_9A + M3P1_10A + M3P1_11A"
                ),
                "status": "INFERRED",
                "note": (
                    "permanent and temporary manual workers (obreros), unpaid family, "
                    "interns, fee-based and commission staff"
                ),
            },
            "skilled_education": {
                "module": "labour",
                "formula": "M3P2_1 + M3P2_2 + M3P2_4",
                "status": "INFERRED",
                "note": "postgraduate, completed university, completed technical education",
            },
            "unskilled_education": {
                "module": "labour",
                "formula": "M3P2_3 + M3P2_5 + M3P2_6 + M3P2_7",
                "status": "INFERRED",
                "note": (
                    "incomplete university or technical, secondary/primary, "
                    "initial/none"
                ),
            },
            "wage_bill": {
                "module": "labour",
                "formula": (
                    "12 * M3P1_1A * M3P1_1D + 12 * M3P1_2A * M3P1_2D"
                    " + 12 * M3P1_3A * M3P1_3D + 12 * M3P1_4A * M3P1_4D"
                    " + 12 * M3P1_5A * M3P1_5D"
                ),
                "status": "INFERRED",
                "note": (
                    "12 x workers x average monthly pay, paid staff rows 1-5 (D is read "
                    "as the monthly average per worker; PERU_DOMAIN §3.2)"
                ),
            },
        },
    }
)

#: Built-in layouts by name.
LAYOUTS: Mapping[str, Mapping[str, Any]] = MappingProxyType({"ene2015": ENE_2015})

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_NUMBER = re.compile(r"^[0-9]+(\.[0-9]+)?$")


@dataclass(frozen=True)
class Formula:
    """A sum of signed products: ``Σ_j coef_j · Π_k column_jk``.

    Attributes
    ----------
    text : str
        The formula as written.
    terms : tuple of (float, tuple of str)
        Signed coefficient and factor names of each term.
    """

    text: str
    terms: tuple[tuple[float, tuple[str, ...]], ...]

    @property
    def names(self) -> tuple[str, ...]:
        """Distinct names the formula uses, in order of appearance."""
        seen: dict[str, None] = {}
        for _, factors in self.terms:
            for f in factors:
                seen.setdefault(f, None)
        return tuple(seen)

    @classmethod
    def parse(cls, text: object, *, variable: str) -> Formula:
        """Parse ``text``; raise SpecificationError naming ``variable`` when malformed."""
        if not isinstance(text, str) or not text.strip():
            raise SpecificationError(
                f"the formula of variable {variable!r} must be a non-empty string, "
                f"got {text!r}",
                fix='write it like "M9P4_1 + M9P4_4 - M9P4_5" or "12 * M3P1_1A * M3P1_1D"',
            )
        if re.search(r"[A-Za-z0-9_.]\s+[A-Za-z0-9_.]", text):
            raise _bad_formula(text, variable)
        tokens = re.findall(r"[+-]|[^+-]+", re.sub(r"\s+", "", text))
        terms: list[tuple[float, tuple[str, ...]]] = []
        sign: float | None = None  # pending operator before the next term
        for tok in tokens:
            if tok in ("+", "-"):
                # an operator must follow a term, except one leading minus
                if sign is not None or (not terms and tok == "+"):
                    raise _bad_formula(text, variable)
                sign = 1.0 if tok == "+" else -1.0
                continue
            if terms and sign is None:
                raise _bad_formula(text, variable)
            coef = 1.0 if sign is None else sign
            factors: list[str] = []
            for part in tok.split("*"):
                if _NUMBER.match(part):
                    coef *= float(part)
                elif _NAME.match(part):
                    factors.append(part)
                else:
                    raise _bad_formula(text, variable)
            if not factors:
                raise _bad_formula(text, variable)
            terms.append((coef, tuple(factors)))
            sign = None
        expect_term = sign is not None or not terms
        if expect_term:
            raise _bad_formula(text, variable)
        return cls(text=text, terms=tuple(terms))


def _bad_formula(text: str, variable: str) -> SpecificationError:
    return SpecificationError(
        f"cannot read the formula {text!r} of variable {variable!r}",
        fix=(
            "use terms '[number *] NAME [* NAME]' joined by + or -, e.g. "
            "'M9P4_1 + M9P4_4 + M9P4_5'"
        ),
    )


@dataclass(frozen=True)
class ModuleSpec:
    """Where one questionnaire module lives.

    Attributes
    ----------
    name : str
        Module role: one of :data:`MODULES`.
    file : str
        File stem (matched case-insensitively, any supported extension).
    long_key : str or None
        Row-type column of a long-format module (one row per firm and item).
    long_rows : tuple of int
        Row types summed per firm (others, such as a total row, are ignored).
    """

    name: str
    file: str
    long_key: str | None = None
    long_rows: tuple[int, ...] = ()


@dataclass(frozen=True)
class VariableSpec:
    """Recipe of one constructed variable (see the module docstring for the grammar)."""

    name: str
    module: str
    formula: Formula
    status: str
    note: str


@dataclass(frozen=True)
class Layout:
    """A validated edition layout; build one with :func:`load_layout`.

    Attributes
    ----------
    name : str
        Label of the layout.
    edition : int or None
        Survey year the layout was written for (informative; the builder takes each
        source's edition from the ``sources`` mapping).
    reference_year_offset : int
        Reference year = edition + offset (ENE: -1).
    id : str
        Firm key column.
    id_width : int
        Width numeric ids are zero-padded to (0: no padding).
    modules : Mapping[str, ModuleSpec]
        Module role → file.
    identification : Mapping[str, str]
        Identification field → column (``department, province, district, ciiu,
        sales_range, result, weight``).
    usable_results : tuple of int
        Interview-result codes kept.
    sales_ranges : Mapping[int, str]
        Sales-range (stratum) code → label.
    variables : Mapping[str, VariableSpec]
        Constructed variables, in evaluation order.
    """

    name: str
    edition: int | None
    reference_year_offset: int
    id: str
    id_width: int
    modules: Mapping[str, ModuleSpec]
    identification: Mapping[str, str]
    usable_results: tuple[int, ...]
    sales_ranges: Mapping[int, str]
    variables: Mapping[str, VariableSpec]

    def to_dict(self) -> dict[str, Any]:
        """The layout as a plain, JSON/YAML-safe dict (the schema :func:`load_layout` reads)."""
        modules: dict[str, Any] = {}
        for m in self.modules.values():
            entry: dict[str, Any] = {"file": m.file}
            if m.long_key is not None:
                entry["long_key"] = m.long_key
                entry["long_rows"] = list(m.long_rows)
            modules[m.name] = entry
        return {
            "name": self.name,
            "edition": self.edition,
            "reference_year_offset": self.reference_year_offset,
            "id": self.id,
            "id_width": self.id_width,
            "modules": modules,
            "identification": dict(self.identification),
            "usable_results": list(self.usable_results),
            "sales_ranges": {int(k): v for k, v in self.sales_ranges.items()},
            "variables": {
                v.name: {
                    "module": v.module,
                    "formula": v.formula.text,
                    "status": v.status,
                    "note": v.note,
                }
                for v in self.variables.values()
            },
        }

    def columns(self, module: str) -> tuple[str, ...]:
        """Columns the builder reads from ``module`` (besides the id)."""
        if module == "identification":
            return tuple(self.identification.values())
        names: dict[str, None] = {}
        for v in self.variables.values():
            if v.module == module:
                for n in v.formula.names:
                    names.setdefault(n, None)
        return tuple(names)


def _merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Recursive dict merge: mappings merge key by key, anything else replaces."""
    out: dict[str, Any] = {k: v for k, v in base.items()}
    for k, v in override.items():
        if isinstance(v, Mapping) and isinstance(out.get(k), Mapping):
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


def _read_file(path: Path) -> Mapping[str, Any]:
    suffix = path.suffix.lower()
    if not path.is_file():
        raise SpecificationError(
            f"layout file {str(path)!r} does not exist",
            fix="pass the path of a .yaml, .toml or .json layout, or a built-in name "
            f"{sorted(LAYOUTS)}",
        )
    text = path.read_text(encoding="utf-8")
    try:
        if suffix in (".yaml", ".yml"):
            import yaml

            data = yaml.safe_load(text)
        elif suffix == ".toml":
            import tomllib

            data = tomllib.loads(text)
        elif suffix == ".json":
            data = json.loads(text)
        else:
            raise SpecificationError(
                f"layout file {str(path)!r} has an unknown extension {suffix!r}",
                fix="use .yaml, .yml, .toml or .json",
            )
    except SpecificationError:
        raise
    except Exception as exc:  # parser errors of three libraries
        raise SpecificationError(
            f"cannot parse layout file {str(path)!r}: {exc}",
            fix="check the file's syntax",
        ) from exc
    if not isinstance(data, Mapping):
        raise SpecificationError(
            f"layout file {str(path)!r} does not hold a mapping",
            fix="the top level must be a mapping with keys name, modules, variables, ...",
        )
    return data


def _require(mapping: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in mapping:
        raise SpecificationError(
            f"layout {where} lacks the key {key!r}",
            fix=f"add {key!r} (see tfp.ene.ENE_2015 for the schema)",
        )
    return mapping[key]


def _int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            if isinstance(value, str) and value.strip().lstrip("-").isdigit():
                return int(value)
        except ValueError:
            pass
        raise SpecificationError(
            f"layout {what} must be an integer, got {value!r}", fix="use an integer"
        )
    return value


def _str(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SpecificationError(
            f"layout {what} must be a non-empty string, got {value!r}",
            fix="use a column or file name",
        )
    return value.strip()


def load_layout(spec: str | Path | Mapping[str, Any] | Layout = "ene2015") -> Layout:
    """Build a validated :class:`Layout` from a name, a file or a mapping.

    Parameters
    ----------
    spec : str, Path, Mapping or Layout
        A built-in name (``"ene2015"``), a path to a ``.yaml``/``.toml``/``.json`` file, or a
        mapping with the schema of the module docstring. A mapping (or file) with the key
        ``base`` (a built-in name) overrides that layout field by field, e.g.
        ``{"base": "ene2015", "variables": {"sales": {"formula": "M9P4_7"}}}``.

    Returns
    -------
    Layout

    Raises
    ------
    SpecificationError
        Unknown name, unreadable file, a missing key, a malformed formula, a variable that
        names an unknown module or an undefined earlier variable.

    Examples
    --------
    >>> lay = load_layout({"base": "ene2015", "variables": {"sales": {"formula": "M9P4_7"}}})
    >>> lay.variables["sales"].formula.names, lay.variables["sales"].status
    (('M9P4_7',), 'USER')
    """
    if isinstance(spec, Layout):
        return spec
    if isinstance(spec, str) and spec in LAYOUTS:
        raw: Mapping[str, Any] = LAYOUTS[spec]
    elif isinstance(spec, (str, Path)):
        path = Path(spec)
        if isinstance(spec, str) and path.suffix == "":
            raise SpecificationError(
                f"layout={spec!r} is not one of {set(LAYOUTS)}",
                fix=f"pass one of {sorted(LAYOUTS)}, a layout file or a mapping",
            )
        raw = _read_file(path)
    elif isinstance(spec, Mapping):
        raw = spec
    else:
        raise SpecificationError(
            f"layout must be a name, a path or a mapping, got {type(spec).__name__}",
            fix="pass 'ene2015', a .yaml/.toml/.json path or a dict",
        )
    if "base" in raw:
        base_name = raw["base"]
        if base_name not in LAYOUTS:
            raise SpecificationError(
                f"layout base={base_name!r} is not one of {set(LAYOUTS)}",
                fix=f"use base: one of {sorted(LAYOUTS)}",
            )
        override = {k: v for k, v in raw.items() if k != "base"}
        # overridden recipes without their own status are the user's
        for name, var in dict(override.get("variables", {})).items():
            if isinstance(var, Mapping) and "formula" in var and "status" not in var:
                override["variables"] = dict(override["variables"])
                override["variables"][name] = {
                    **var,
                    "status": "USER",
                    "note": var.get("note", "set by the user"),
                }
        raw = _merge(LAYOUTS[base_name], override)
    return _validate(raw)


def _validate(raw: Mapping[str, Any]) -> Layout:
    name = str(raw.get("name", "custom"))
    edition_raw = raw.get("edition")
    edition = None if edition_raw is None else _int(edition_raw, "edition")
    offset = _int(raw.get("reference_year_offset", -1), "reference_year_offset")
    id_col = _str(_require(raw, "id", "top level"), "id")
    id_width = _int(raw.get("id_width", 0), "id_width")

    modules_raw = _require(raw, "modules", "top level")
    if not isinstance(modules_raw, Mapping):
        raise SpecificationError(
            "layout 'modules' must be a mapping", fix="map module -> {file: ...}"
        )
    modules: dict[str, ModuleSpec] = {}
    for m in MODULES:
        entry = _require(modules_raw, m, "'modules'")
        if isinstance(entry, str):
            entry = {"file": entry}
        if not isinstance(entry, Mapping):
            raise SpecificationError(
                f"layout module {m!r} must be a file stem or a mapping with 'file'",
                fix="write e.g. labour: {file: 02_MODULO_I_II_III}",
            )
        file = _str(_require(entry, "file", f"module {m!r}"), f"module {m!r} file")
        key = entry.get("long_key")
        rows: tuple[int, ...] = ()
        if key is not None:
            key = _str(key, f"module {m!r} long_key")
            rows_raw = _require(entry, "long_rows", f"module {m!r}")
            if not isinstance(rows_raw, (list, tuple)) or not rows_raw:
                raise SpecificationError(
                    f"layout module {m!r} long_rows must be a non-empty list",
                    fix="list the row codes to sum, e.g. [1, 2, 3]",
                )
            rows = tuple(_int(r, f"module {m!r} long_rows") for r in rows_raw)
        modules[m] = ModuleSpec(name=m, file=file, long_key=key, long_rows=rows)
    unknown = set(modules_raw) - set(MODULES)
    if unknown:
        raise SpecificationError(
            f"layout names unknown modules {sorted(unknown)}",
            fix=f"modules are {list(MODULES)}",
        )

    ident_raw = _require(raw, "identification", "top level")
    ident = {
        f: _str(_require(ident_raw, f, "'identification'"), f"identification {f}")
        for f in _ID_FIELDS
    }
    usable_raw = _require(raw, "usable_results", "top level")
    if not isinstance(usable_raw, (list, tuple)) or not usable_raw:
        raise SpecificationError(
            "layout usable_results must be a non-empty list of codes",
            fix="ENE 2015: [1, 2] (complete, incomplete-valid)",
        )
    usable = tuple(_int(v, "usable_results") for v in usable_raw)
    ranges_raw = raw.get("sales_ranges", {})
    if not isinstance(ranges_raw, Mapping):
        raise SpecificationError(
            "layout sales_ranges must map codes to labels",
            fix="e.g. {1: micro, 2: small, 3: medium_large}",
        )
    ranges = {_int(k, "sales_ranges key"): str(v) for k, v in ranges_raw.items()}

    vars_raw = _require(raw, "variables", "top level")
    if not isinstance(vars_raw, Mapping):
        raise SpecificationError(
            "layout 'variables' must be a mapping",
            fix="map variable -> {module, formula}",
        )
    variables: dict[str, VariableSpec] = {}
    for vname, entry in vars_raw.items():
        if not isinstance(entry, Mapping):
            raise SpecificationError(
                f"layout variable {vname!r} must be a mapping with module and formula",
                fix='write e.g. sales: {module: economic, formula: "M9P4_1 + M9P4_4"}',
            )
        module = _str(_require(entry, "module", f"variable {vname!r}"), "module")
        if module not in (*MODULES[1:], "derived"):
            raise SpecificationError(
                f"variable {vname!r} names module {module!r}",
                fix=f"use one of {[*MODULES[1:], 'derived']}",
            )
        formula = Formula.parse(
            _require(entry, "formula", f"variable {vname!r}"), variable=vname
        )
        if module == "derived":
            undefined = [n for n in formula.names if n not in variables]
            if undefined:
                raise SpecificationError(
                    f"derived variable {vname!r} uses {undefined}, which are not "
                    "variables defined before it",
                    fix="define those variables first, or read them from a module",
                )
        status = str(entry.get("status", "USER")).upper()
        if status not in _STATUSES:
            raise SpecificationError(
                f"variable {vname!r} has status {status!r}",
                fix=f"use one of {list(_STATUSES)}",
            )
        variables[str(vname)] = VariableSpec(
            name=str(vname),
            module=module,
            formula=formula,
            status=status,
            note=str(entry.get("note", "")),
        )
    missing = [v for v in REQUIRED_VARIABLES if v not in variables]
    if missing:
        raise SpecificationError(
            f"layout lacks the variables {missing}",
            fix="define them (see tfp.ene.ENE_2015), or start from base: ene2015",
        )
    return Layout(
        name=name,
        edition=edition,
        reference_year_offset=offset,
        id=id_col,
        id_width=id_width,
        modules=FrozenDict(modules),
        identification=FrozenDict(ident),
        usable_results=usable,
        sales_ranges=FrozenDict(ranges),
        variables=FrozenDict(variables),
    )
