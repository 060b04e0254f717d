"""PP 0093 example data: the files of the 2020 records, and a synthetic register of firms served.

The transcribed records (``data/pp0093_2020/``, provenance in its ``SOURCE.md``) are the
raw figures of the annex and indicator tables of PRODUCE-OGEIEE's 2020 follow-up report;
:func:`tfp.program.load_pp0093_2020` reads them (the programme layer owns the records). The
register of firms served is **synthetic**: the real one is administrative and not
public. :func:`synthetic_register` draws 28,510 firms whose margins match what the report
prints (departments, sectors, size classes and sub-strata, worker bands, targeting share,
firms by activity, product and serving unit).

References
----------
PRODUCE-OGEIEE (2021). *Reporte de seguimiento del Programa Presupuestal 0093 "Desarrollo
Productivo de las Empresas", año 2020*. Lima: Ministerio de la Producción.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

__all__ = [
    "DEPARTMENT_SHARES_2020",
    "N_FIRMS_2020",
    "SECTOR_COUNTS_2020",
    "UNIT_COUNTS_2020",
    "data_dir",
    "synthetic_register",
]

#: Firms served in 2020 (seed, "Población atendida").
N_FIRMS_2020 = 28_510
#: Firms that could be classified by size from SUNAT data (seed, "Tamaño empresarial").
N_CLASSIFIED_2020 = 13_448

#: Department shares (%) of firms served. Lima, La Libertad, Arequipa, Amazonas, Apurímac and
#: Huancavelica are the seed's figures; the others are synthetic, chosen so that natural
#: regions (mapping A) give the seed's Costa 65.2 / Sierra 21.8 / Selva 13.0 and no other
#: department is below Amazonas' 0.8 % except Huancavelica.
DEPARTMENT_SHARES_2020 = MappingProxyType(
    {
        "15": 35.2,  # Lima (seed)
        "13": 6.8,  # La Libertad (seed)
        "04": 6.6,  # Arequipa (seed)
        "01": 0.8,  # Amazonas (seed)
        "03": 0.8,  # Apurímac (seed)
        "09": 0.4,  # Huancavelica (seed)
        "20": 3.6,  # Piura
        "14": 3.2,  # Lambayeque
        "02": 2.4,  # Áncash
        "07": 2.2,  # Callao
        "11": 2.2,  # Ica
        "23": 1.2,  # Tacna
        "18": 0.9,  # Moquegua
        "24": 0.9,  # Tumbes
        "08": 4.4,  # Cusco
        "12": 4.3,  # Junín
        "06": 3.4,  # Cajamarca
        "21": 3.2,  # Puno
        "05": 2.4,  # Ayacucho
        "10": 2.0,  # Huánuco
        "19": 0.9,  # Pasco
        "22": 5.2,  # San Martín
        "16": 3.2,  # Loreto
        "25": 2.8,  # Ucayali
        "17": 1.0,  # Madre de Dios
    }
)

#: Firms served by sector (seed chart "Empresas atendidas por sector económico, 2020").
SECTOR_COUNTS_2020 = MappingProxyType(
    {
        "Servicios": 16_700,
        "Comercio": 5_142,
        "Manufactura": 4_660,
        "Agropecuario": 1_184,
        "Pesca": 402,
        "Construcción": 343,
        "Minería": 39,
        "Sin información": 40,
    }
)

#: Unique firms served by each unit (seed chart "Número de empresas atendidas por Dirección
#: General e ITP"); they add up to 29,482 > 28,510 because some firms were served by two.
UNIT_COUNTS_2020 = MappingProxyType(
    {
        "ITP": 24_758,
        "DGPAR": 2_028,
        "PNTE": 1_352,
        "DGDE": 982,
        "DGAAMI": 341,
        "DGITDF": 21,
    }
)

#: Size classes of the 13,448 classified firms (seed: 76.8 / 15.8 / 1.0 / 6.4 %), and the
#: sub-strata: sales < 2 UIT 24.3 % and <= 13 UIT ("subsistencia") 57.2 % of classified
#: firms (the seed's 24.3 % is read on the same base as its 57.2 %), small firms with 150-300
#: UIT 38.6 % of small firms. Counts by largest remainder.
_STRATUM_COUNTS = {
    "micro_below_2uit": 3_268,
    "micro_subsistence": 7_692 - 3_268,
    "micro_accumulation": 10_328 - 7_692,
    "small_lower": 820,
    "small_upper": 2_125 - 820,
    "medium": 134,
    "large": 861,
}
#: Sales bounds (UIT) of the strata for the synthetic draws (log-uniform inside).
_STRATUM_UIT = {
    "micro_below_2uit": (0.1, 2.0),
    "micro_subsistence": (2.0, 13.0),
    "micro_accumulation": (13.0, 150.0),
    "small_lower": (150.0, 300.0),
    "small_upper": (300.0, 1700.0),
    "medium": (1700.0, 2300.0),
    "large": (2300.0, 40_000.0),
}
_UIT_2020 = 4300.0
#: Firms targeted: 7.7 % of 28,510 (seed, "Población atendida").
_N_TARGET = 2_195
#: Workers: fewer than 5 for 76.6 % of classified firms; more than 50 (all with sales above
#: 850 UIT) for 7.3 % (seed, "Trabajadores").
_N_WORKERS_LT5 = 10_301
_N_WORKERS_GT50 = 982

#: Representative CIIU Rev.4 classes per sector, with weights. Manufacturing: footwear 1520
#: 17.8 % and garments 1410 10.2 % of the sector; agriculture: fruit 0121-0125 26.9 %
#: (seed, "Sector económico"); the rest are plausible synthetic choices.
_CIIU = {
    "Servicios": {
        "9602": 0.20,
        "9609": 0.12,
        "5610": 0.18,
        "4922": 0.08,
        "7020": 0.08,
        "8549": 0.07,
        "6201": 0.05,
        "5510": 0.06,
        "7410": 0.06,
        "9329": 0.05,
        "8211": 0.05,
    },
    "Comercio": {
        "4721": 0.25,
        "4722": 0.10,
        "4630": 0.15,
        "4711": 0.20,
        "4771": 0.12,
        "4752": 0.10,
        "4530": 0.08,
    },
    "Manufactura": {
        "1520": 0.178,
        "1410": 0.102,
        "1071": 0.15,
        "3100": 0.12,
        "1079": 0.10,
        "2511": 0.10,
        "1811": 0.08,
        "1104": 0.07,
        "1030": 0.10,
    },
    "Agropecuario": {
        "0122": 0.10,
        "0123": 0.05,
        "0124": 0.069,
        "0125": 0.05,
        "0111": 0.20,
        "0113": 0.15,
        "0128": 0.131,
        "0141": 0.10,
        "0146": 0.15,
    },
    "Pesca": {"0311": 0.55, "0312": 0.10, "0321": 0.15, "0322": 0.20},
    "Construcción": {"4100": 0.50, "4210": 0.20, "4330": 0.30},
    "Minería": {"0710": 0.40, "0729": 0.30, "0810": 0.30},
}

#: Activity -> service label of the non-ITP activities.
_SERVICES = {
    "5005078": "capacitación en gestión empresarial",
    "5005079": "capacitación técnico-productiva",
    "5005080": "capacitación en gestión de la calidad",
    "5005082": "iniciativas de clúster",
    "5005083": "ferias y ruedas de negocio",
    "5005081": "capacitación en regulación y gestión ambiental",
    "5005086": "difusión de normatividad",
}
_ITP = "5005087"


def data_dir() -> Path:
    """Directory of the embedded 2020 records (CSV/YAML files and ``SOURCE.md``)."""
    return Path(str(files("tfp.datasets") / "data" / "pp0093_2020"))


def _largest_remainder(shares: np.ndarray, total: int) -> np.ndarray:
    raw = shares / shares.sum() * total
    counts = np.floor(raw).astype(np.int64)
    short = total - int(counts.sum())
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[:short]] += 1
    return counts


def _repeat(labels: list[str], counts: np.ndarray | list[int]) -> np.ndarray:
    return np.repeat(np.array(labels, dtype=object), np.asarray(counts, dtype=np.int64))


def synthetic_register(seed: int = 0) -> pd.DataFrame:
    """Draw a synthetic register of the 28,510 firms PP 0093 served in 2020.

    Margins match the seed report: department shares (Lima 35.2 %, La Libertad 6.8 %,
    Arequipa 6.6 %, Amazonas 0.8 %, Apurímac 0.8 %, Huancavelica 0.4 %; see
    :data:`DEPARTMENT_SHARES_2020`), sector counts exactly (:data:`SECTOR_COUNTS_2020`),
    13,448 firms with sales (micro 76.8 %, small 15.8 %, medium 1.0 %, large 6.4 %; sales
    below 2 UIT 24.3 % and up to 13 UIT 57.2 % of them; 38.6 % of small firms with 150-300
    UIT), workers (fewer than 5 for 76.6 %, more than 50 for 7.3 %), 7.7 % of firms inside
    the targeting criteria, unique firms per activity and product as in the annex, and unique
    firms per serving unit as in :data:`UNIT_COUNTS_2020`. Firms without SUNAT data have no
    sales, workers, registration date or formality. Sales are soles of 2020.

    Parameters
    ----------
    seed : int
        Seed of the NumPy generator; the same seed gives the same register.

    Returns
    -------
    DataFrame
        One row per firm and service received, columns ``firm_id, activity, unit, service,
        ubigeo, ciiu, sales_soles, workers, registration_date, formal`` (the ``register``
        schema of :mod:`tfp.program.records`).

    Examples
    --------
    >>> reg = synthetic_register(seed=0)
    >>> reg["firm_id"].nunique()
    28510
    """
    rng = np.random.default_rng(seed)
    n = N_FIRMS_2020
    firms = pd.DataFrame({"firm_id": [f"F{i:05d}" for i in rng.permutation(n) + 1]})

    # departments and sectors: exact counts, randomly assigned
    depts = list(DEPARTMENT_SHARES_2020)
    counts = _largest_remainder(np.array(list(DEPARTMENT_SHARES_2020.values())), n)
    dept = rng.permutation(_repeat(depts, counts))
    firms["ubigeo"] = [f"{d}0101" for d in dept]
    sector = rng.permutation(
        _repeat(list(SECTOR_COUNTS_2020), list(SECTOR_COUNTS_2020.values()))
    )
    ciiu = np.full(n, None, dtype=object)
    for name, classes in _CIIU.items():
        pos = np.flatnonzero(sector == name)
        weights = np.array(list(classes.values()))
        k = _largest_remainder(weights, len(pos))
        ciiu[pos] = rng.permutation(_repeat(list(classes), k))
    firms["ciiu"] = ciiu

    # sales of the classified firms, by stratum
    classified = rng.permutation(n)[:N_CLASSIFIED_2020]
    strata = rng.permutation(
        _repeat(list(_STRATUM_COUNTS), list(_STRATUM_COUNTS.values()))
    )
    lo = np.array([_STRATUM_UIT[s][0] for s in strata])
    hi = np.array([_STRATUM_UIT[s][1] for s in strata])
    # log-uniform inside each stratum, nudged off the boundaries so classes are unambiguous
    u = rng.uniform(0.001, 0.999, size=len(strata))
    sales_uit = np.exp(np.log(lo) + u * (np.log(hi) - np.log(lo)))
    sales = np.full(n, np.nan)
    sales[classified] = np.round(sales_uit * _UIT_2020)
    firms["sales_soles"] = sales

    # workers: > 50 for firms above 1,700 UIT (all above 850 UIT), < 5 mostly for micro
    workers = np.full(n, np.nan)
    order = np.argsort(-sales_uit, kind="stable")  # classified firms, largest first
    w = np.empty(len(strata))
    w[order[:_N_WORKERS_GT50]] = rng.integers(51, 400, size=_N_WORKERS_GT50)
    w[order[-_N_WORKERS_LT5:]] = rng.integers(1, 5, size=_N_WORKERS_LT5)
    middle = order[_N_WORKERS_GT50 : len(order) - _N_WORKERS_LT5]
    w[middle] = rng.integers(5, 51, size=len(middle))
    workers[classified] = w
    firms["workers"] = workers

    # formality and SUNAT registration; targeting = formal, >= 2 years, 13-2,300 UIT
    formal = np.full(n, None, dtype=object)
    formal[classified] = True
    reg_days = np.full(n, np.nan)
    old_lo = (pd.Timestamp("1995-01-01") - pd.Timestamp("1970-01-01")).days
    old_hi = (pd.Timestamp("2018-12-01") - pd.Timestamp("1970-01-01")).days
    new_lo = (pd.Timestamp("2019-02-01") - pd.Timestamp("1970-01-01")).days
    new_hi = (pd.Timestamp("2020-12-31") - pd.Timestamp("1970-01-01")).days
    reg_days[classified] = rng.integers(old_lo, old_hi, size=len(classified))
    in_range = classified[(sales_uit >= 13.0) & (sales_uit <= 2300.0)]
    in_range = rng.permutation(in_range)
    outside = in_range[_N_TARGET:]
    recent = outside[: round(0.6 * len(outside))]
    informal = outside[len(recent) :]
    reg_days[recent] = rng.integers(new_lo, new_hi, size=len(recent))
    formal[informal] = False
    firms["registration_date"] = pd.to_datetime(reg_days, unit="D")
    firms["formal"] = pd.array(formal, dtype="boolean")

    services = _services(rng, n)
    reg = services.merge(firms, left_on="firm", right_index=True, how="left")
    reg = reg.drop(columns="firm").sort_values(["firm_id", "activity", "service"])
    columns = [
        "firm_id",
        "activity",
        "unit",
        "service",
        "ubigeo",
        "ciiu",
        "sales_soles",
        "workers",
        "registration_date",
        "formal",
    ]
    return reg[columns].reset_index(drop=True)


def _services(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """Firm positions x (activity, unit, service) rows reproducing the seed's counts.

    Non-ITP firms are built block by block (each firm served by one non-ITP unit): DGITDF 21
    (1.1); PNTE 949 (1.1) + 403 (2.2); DGDE: 9 in 1.2 and 1.3, 30 in 1.2 and 2.2, 2 in 2.1 and
    2.2, then 242 (1.2), 96 (1.3), 48 (2.1), 555 (2.2); DGPAR: 199 in 3.1 and 3.2, 101 (3.1),
    1,728 (3.2); DGAAMI 207 (3.1), 134 (3.2). That gives activity counts 970, 281, 105, 50,
    990, 507, 2,061, products 1,347 (P1) and 1,038 (P2) unique firms, and the unit counts. ITP
    (Act. 4.1) serves 24,758 firms: 972 of the 4,724 non-ITP firms and all 23,786 others.
    """
    # (unit, [(activity, ...)], n_firms) blocks of non-ITP firms
    a11, a12, a13, a21, a22, a31, a32 = (
        "5005078",
        "5005079",
        "5005080",
        "5005082",
        "5005083",
        "5005081",
        "5005086",
    )
    blocks = [
        ("DGITDF", (a11,), 21),
        ("PNTE", (a11,), 949),
        ("PNTE", (a22,), 403),
        ("DGDE", (a12, a13), 9),
        ("DGDE", (a12, a22), 30),
        ("DGDE", (a21, a22), 2),
        ("DGDE", (a12,), 242),
        ("DGDE", (a13,), 96),
        ("DGDE", (a21,), 48),
        ("DGDE", (a22,), 555),
        ("DGPAR", (a31, a32), 199),
        ("DGPAR", (a31,), 101),
        ("DGPAR", (a32,), 1728),
        ("DGAAMI", (a31,), 207),
        ("DGAAMI", (a32,), 134),
    ]
    perm = rng.permutation(n)
    n_other = sum(b[2] for b in blocks)
    rows_firm: list[np.ndarray] = []
    rows_act: list[np.ndarray] = []
    rows_unit: list[np.ndarray] = []
    start = 0
    for unit, acts, k in blocks:
        who = perm[start : start + k]
        start += k
        for a in acts:
            rows_firm.append(who)
            rows_act.append(np.full(k, a, dtype=object))
            rows_unit.append(np.full(k, unit, dtype=object))
    other = pd.DataFrame(
        {
            "firm": np.concatenate(rows_firm),
            "activity": np.concatenate(rows_act),
            "unit": np.concatenate(rows_unit),
        }
    )
    other["service"] = other["activity"].map(_SERVICES)

    # ITP: 972 of the non-ITP firms plus every firm not served by another unit
    n_itp = UNIT_COUNTS_2020["ITP"]
    shared = rng.choice(perm[:n_other], size=n_itp - (n - n_other), replace=False)
    itp = rng.permutation(np.concatenate([shared, perm[n_other:]]))
    # services: 19,573 información tecnológica; capacitación for 7,670 (3,111 of them without
    # información tecnológica); asistencia técnica for the remaining 2,074 (seed "Difusión",
    # "Capacitación", "Asistencia técnica")
    n_info, n_cap_only, n_at = 19_573, 3_111, 2_074
    info = itp[:n_info]
    cap_only = itp[n_info : n_info + n_cap_only]
    at = itp[n_info + n_cap_only : n_info + n_cap_only + n_at]
    cap_with_info = info[: 7_670 - n_cap_only]
    parts = [
        (info, "información tecnológica especializada"),
        (np.concatenate([cap_only, cap_with_info]), "capacitación"),
        (at, "asistencia técnica"),
    ]
    itp_rows = pd.concat(
        [
            pd.DataFrame(
                {"firm": who, "activity": _ITP, "unit": "ITP", "service": name}
            )
            for who, name in parts
        ],
        ignore_index=True,
    )
    return pd.concat([other, itp_rows], ignore_index=True)
