"""The dashboard's catalogue: both languages have the same texts, and no page keeps a text of its
own."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from dashboard.catalogue import LANGUAGES, catalogue, flat_keys, missing_keys, words

pytestmark = pytest.mark.unit
DASHBOARD = Path(__file__).resolve().parents[2] / "services" / "dashboard" / "dashboard"
# The modules that put words on the page; the others (store, feed, intake, settings...) show none.
SHOWN = sorted(
    [
        *DASHBOARD.glob("views/*.py"),
        *(DASHBOARD / name for name in ("app.py", "charts.py", "card.py", "formats.py")),
    ]
)
PROSE = re.compile(r"[^\W\d_]{2,}\s+[^\W\d_]{2,}")  # two words in a row
# Literals that are words on purpose: CSS, and the Bokeh formatters' JavaScript (no text shown as
# such).
NOT_TEXT = re.compile(r"(:host|\{ *color:|toLocaleString|return )")


def test_every_key_exists_in_both_languages():
    assert missing_keys() == {lang: set() for lang in LANGUAGES}


def test_a_key_in_one_language_only_is_found():
    assert flat_keys({"a": {"b": "x", "c": ["y", "z"]}}) == {"a.b", "a.c"}


def test_placeholders_are_the_same_in_both_languages():
    """A text whose languages ask for different values would fail in one language only, at run
    time."""
    names = re.compile(r"\{(\w+)")
    texts = {lang: dict(_flat(catalogue(lang))) for lang in LANGUAGES}
    differ = {
        key: [sorted(set(names.findall(texts[lang][key]))) for lang in LANGUAGES]
        for key in texts["fr"]
        if len({frozenset(names.findall(texts[lang][key])) for lang in LANGUAGES}) > 1
    }
    assert differ == {}


def test_a_part_reads_as_the_views_use_it():
    text = words("client_file")
    assert text["fr"]["open"] == "Ouvrir le dossier" and text["en"]["open"] == "Open the file"


@pytest.mark.parametrize("module", SHOWN, ids=lambda path: str(path.relative_to(DASHBOARD)))
def test_no_page_keeps_a_text_outside_the_catalogue(module):
    """Every string literal of the modules that draw the page, docstrings, comments and log messages
    aside, is neither prose (two words in a row) nor a French word: texts are the catalogue's, in
    both languages."""
    found = [
        (node.lineno, node.value)
        for node in _literals(ast.parse(module.read_text(encoding="utf-8")))
        if (PROSE.search(node.value) or _accented(node.value)) and not NOT_TEXT.search(node.value)
    ]
    assert found == []


def _literals(tree):
    """String constants, without docstrings, params' docs, nor the arguments of logging calls and of
    errors."""
    skipped = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
        ):
            skipped.add(id(body[0].value))
        if isinstance(node, ast.Call) and _is_log_or_error(node.func):
            skipped |= {id(n) for arg in node.args for n in ast.walk(arg)}
        if isinstance(node, ast.keyword) and node.arg == "doc":  # a param's documentation
            skipped |= {id(n) for n in ast.walk(node.value)}
    return [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in skipped
    ]


def _accented(literal: str) -> bool:
    """é, ç...: a French word, where a CSS class, a key or a column name is plain ASCII."""
    return any(c.isalpha() and not c.isascii() for c in literal)


def _is_log_or_error(func) -> bool:
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name in {"debug", "info", "warning", "error", "exception"} or name.endswith(
        ("Error", "Exception")
    )


def _flat(texts, prefix: str = ""):
    if isinstance(texts, dict):
        for key, value in texts.items():
            yield from _flat(value, f"{prefix}{key}.")
    elif isinstance(texts, list):
        for i, value in enumerate(texts):
            yield from _flat(value, f"{prefix}{i}.")
    else:
        yield prefix.rstrip("."), str(texts)


def test_a_part_missing_in_a_language_is_named():
    with pytest.raises(KeyError, match="no_such_part"):
        words("no_such_part")


def test_a_slider_title_reads_with_a_french_space_before_bokehs_colon():
    """Bokeh writes a slider as "<title>: <value>"; French wants a no-break space before the
    colon."""
    assert words("comparison")["fr"]["k"].endswith("\u00a0") and not words("comparison")["fr"][
        "k"
    ].endswith(" \u00a0")
    assert not words("comparison")["en"]["k"][-1].isspace()
