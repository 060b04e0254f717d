"""Optional dependencies: which extra brings which package, and the error when one is missing.

``pip install tfp`` is enough to import tfp and estimate every method. What only some users
need is an extra (``pyproject.toml``'s ``[project.optional-dependencies]``; a test checks that
the two lists agree):

=============  ===================================================  ============================
extra          packages                                             for
=============  ===================================================  ============================
``report``     jinja2, openpyxl, matplotlib, fpdf2                  ``tfp report``, ``tfp.app``,
                                                                    ``tfp.report``
``plot``       matplotlib                                           ``tfp.productivity.plots``
``ene``        pyreadstat, dbfread                                  ENE ``.sav``/``.dbf`` files
``dask``       dask[distributed]                                    ``Bootstrap(client=...)``
``dataframes`` narwhals                                             polars, pyarrow, modin …
                                                                    frames as input
=============  ===================================================  ============================

Every optional import goes through :func:`require` (one module) or :func:`require_extra` (a
whole extra, before a long run starts), which raise :class:`~tfp.exceptions.MissingExtraError`
naming the extra to install.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Mapping
from types import MappingProxyType, ModuleType

from tfp.exceptions import MissingExtraError

__all__ = ["EXTRAS", "missing_modules", "require", "require_extra"]

#: extra -> ((module imported by tfp, distribution that provides it), ...).
EXTRAS: Mapping[str, tuple[tuple[str, str], ...]] = MappingProxyType(
    {
        "report": (
            ("jinja2", "jinja2"),
            ("markupsafe", "jinja2"),
            ("openpyxl", "openpyxl"),
            ("matplotlib", "matplotlib"),
            ("fpdf", "fpdf2"),
        ),
        "plot": (("matplotlib", "matplotlib"),),
        "ene": (("pyreadstat", "pyreadstat"), ("dbfread", "dbfread")),
        "dask": (("dask", "dask"), ("distributed", "dask")),
        "dataframes": (("narwhals", "narwhals"),),
    }
)


def require(module: str, extra: str, *, what: str) -> ModuleType:
    """Import ``module``; if it is missing, say which extra installs it.

    Parameters
    ----------
    module : str
        Module to import (``"jinja2"``, ``"matplotlib.figure"`` …).
    extra : str
        The extra of :data:`EXTRAS` that brings it.
    what : str
        What needs it, for the message (``"the HTML report"``).

    Raises
    ------
    MissingExtraError
        ``module`` cannot be imported; the fix is ``pip install "tfp[<extra>]"``.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        top = module.split(".")[0]
        raise MissingExtraError(
            f"{what} needs {top}, which is not installed ({exc})", extra=extra
        ) from exc


def missing_modules(extra: str) -> tuple[str, ...]:
    """The modules of ``extra`` that cannot be imported (without importing any of them)."""
    out = []
    for module, _ in EXTRAS[extra]:
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):  # a broken or None entry in sys.modules
            found = False
        if not found:
            out.append(module)
    return tuple(out)


def require_extra(extra: str, *, what: str) -> None:
    """Raise :class:`~tfp.exceptions.MissingExtraError` unless every module of ``extra``
    is installed (checked before a long run, so it fails at once, not at the end)."""
    modules = missing_modules(extra)
    # name what pip installs (markupsafe comes with jinja2)
    missing = list(dict.fromkeys(d for m, d in EXTRAS[extra] if m in modules))
    if missing:
        raise MissingExtraError(
            f"{what} needs {', '.join(missing)}, which {'is' if len(missing) == 1 else 'are'} "
            "not installed",
            extra=extra,
        )
