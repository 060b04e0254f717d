"""Option vocabularies as ``Literal`` aliases, and the single validator that checks them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, get_args

from tfp.exceptions import SpecificationError

Method = Literal[
    "ols", "fe", "wrdg", "wrdg-iv", "rob", "cost-share", "op", "lp", "acf", "gnr"
]
Form = Literal["cobb-douglas", "translog"]
Lang = Literal["es", "en"]

METHODS: tuple[str, ...] = get_args(Method)
FORMS: tuple[str, ...] = get_args(Form)
#: Languages of labels, tables and charts (Spanish first: the report's readers).
LANGS: tuple[str, ...] = get_args(Lang)


def validate_literal(
    value: object, allowed: Iterable[str], *, name: str, fold_case: bool = False
) -> str:
    """Return ``value`` if it is one of ``allowed``; otherwise raise a SpecificationError.

    The message lists the allowed values, e.g.
    ``method='acf2' is not one of {'ols', 'fe', ...}``. With ``fold_case``, case and
    surrounding spaces are ignored (``'LP'`` is ``'lp'``) and the allowed spelling is
    returned; the message still shows the value as given.
    """
    allowed = tuple(allowed)
    if fold_case and isinstance(value, str) and value.strip().lower() in allowed:
        return value.strip().lower()
    if not isinstance(value, str) or value not in allowed:
        choices = "{" + ", ".join(repr(a) for a in allowed) + "}"
        raise SpecificationError(
            f"{name}={value!r} is not one of {choices}",
            fix=f"pass one of {choices} as {name}",
        )
    return value


def method_code(value: object) -> str:
    """The code of a method name, case-insensitively (``'LP'`` → ``'lp'``).

    Every argument that takes a method code goes through this one function (``estimate``,
    ``estimate_many``, ``estimate_by``, the Monte Carlo runner, the report's config), so
    they accept the same spellings and reject the same ones, listing the codes.
    """
    return validate_literal(value, METHODS, name="method", fold_case=True)
