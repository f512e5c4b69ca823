"""The translation catalogs: every message has a Russian translation with the same fields, and the
compiled catalog the package reads is the one in the repository (``python -m calculator._catalogs``)."""

from __future__ import annotations

import string

import pytest

from calculator import _catalogs
from calculator.i18n import LANGUAGES

TRANSLATED = [lang for lang in LANGUAGES if lang != "en"]


def _fields(text: str) -> list[str]:
    return sorted(name for _, name, spec, conv in string.Formatter().parse(text) if name is not None)


@pytest.fixture(scope="module")
def template():
    return _catalogs.extract()


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_of_the_source_is_in_the_catalog_and_translated(lang, template):
    catalog = _catalogs.read(lang)
    missing = [m.id for m in template if m.id and m.id not in catalog]
    assert not missing, f"{len(missing)} messages not in {lang}.po (run python -m calculator._catalogs): {missing[:5]}"
    untranslated = [m.id for m in catalog if m.id and not (m.string if isinstance(m.string, str) else all(m.string))]
    assert not untranslated, f"{len(untranslated)} messages without a {lang} translation: {untranslated[:5]}"
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not fuzzy, f"fuzzy (unchecked) translations in {lang}: {fuzzy[:5]}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_the_placeholders(lang):
    wrong = []
    for m in _catalogs.read(lang):
        if not m.id:
            continue
        sources = [m.id] if isinstance(m.id, str) else list(m.id)
        targets = [m.string] if isinstance(m.string, str) else list(m.string)
        want = _fields(sources[0])
        wrong += [(sources[0], t) for t in targets if _fields(t) != want]
    assert not wrong, f"placeholders differ: {wrong[:3]}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_compiled_catalog_is_the_catalog(lang):
    mo = _catalogs.po_path(lang).with_suffix(".mo")
    assert mo.read_bytes() == _catalogs.compiled(_catalogs.read(lang)), (
        f"{mo} is not the compiled {lang}.po: run python -m calculator._catalogs")
