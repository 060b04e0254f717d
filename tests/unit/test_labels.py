"""The label catalogue: one place for Spanish and English display text."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tfp._labels import CATALOGUE, label, labels
from tfp.exceptions import SpecificationError

SRC = Path(__file__).resolve().parents[2] / "src" / "tfp"


def test_every_entry_is_a_spanish_english_pair() -> None:
    for domain, entries in CATALOGUE.items():
        for key, pair in entries.items():
            assert isinstance(pair, tuple) and len(pair) == 2, (domain, key)
            es, en = pair
            assert isinstance(es, str) and isinstance(en, str), (domain, key)
            assert bool(es) == bool(en), (domain, key)  # both blank or neither


def test_label_looks_up_fills_and_passes_unknown_names_through() -> None:
    assert label("devengado", "es") == "Devengado"
    assert label("not_a_column", "en") == "not_a_column"
    assert label("product_caption", "en", domain="text", n=3).startswith("Product 3:")
    assert labels("size", "en")["small"] == "Small"
    with pytest.raises(SpecificationError, match="lang='fr'"):
        label("devengado", "fr")


def _language_dicts(path: Path) -> list[int]:
    """Lines of dict literals keyed by both "es" and "en" (a catalogue of their own)."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Dict):
            keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
            if {"es", "en"} <= keys:
                lines.append(node.lineno)
    return lines


def test_no_module_keeps_its_own_es_en_table() -> None:
    found = {
        str(p.relative_to(SRC)): _language_dicts(p)
        for p in SRC.rglob("*.py")
        if p.name != "_labels.py"
    }
    assert {k: v for k, v in found.items() if v} == {}
