"""Keep the translation catalogs in step with the source: ``python -m calculator._catalogs``.

1. extracts every message marked with ``_()``, ``ngettext()`` or ``N_()`` from ``calculator/``
   (Babel's extractor) into ``calculator/locale/returncost.pot``;
2. updates each ``calculator/locale/<lang>/LC_MESSAGES/returncost.po`` from it (new messages come
   in untranslated, gone ones are dropped; a translator then fills them in);
3. compiles each ``.po`` into the ``.mo`` that :mod:`calculator.i18n` reads at run time.

The tests check that the ``.po`` has a translation for every message, with the same ``{fields}``,
and that the ``.mo`` is the compiled ``.po``. This module imports Babel's message tools, which the
package needs nowhere else: it is run by developers, not by the tool.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from .i18n import DOMAIN, LANGUAGES

PACKAGE = Path(__file__).resolve().parent
LOCALE = PACKAGE / "locale"
KEYWORDS = {"_": None, "ngettext": (1, 2), "N_": None}


def extract():  # -> babel.messages.catalog.Catalog
    """Every marked message of the package, with where it comes from."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    catalog = Catalog(project="return-cost-calculator", domain=DOMAIN, charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
            str(PACKAGE), method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=("TRANSLATORS:",),
            strip_comment_tags=True):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(lang: str):  # -> Catalog
    from babel.messages.pofile import read_po

    with open(po_path(lang), "rb") as fh:
        return read_po(fh, locale=lang, domain=DOMAIN)


def compiled(catalog) -> bytes:
    """The ``.mo`` bytes of a catalog (fuzzy entries left out, as gettext does)."""
    from babel.messages.mofile import write_mo

    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def main() -> int:
    from babel.messages.pofile import write_po

    template = extract()
    LOCALE.mkdir(exist_ok=True)
    with open(LOCALE / f"{DOMAIN}.pot", "wb") as fh:
        write_po(fh, template, width=100, omit_header=False, sort_output=False, sort_by_file=True)
    for lang in LANGUAGES:
        if lang == "en":
            continue
        path = po_path(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            catalog = read(lang)
            catalog.update(template, no_fuzzy_matching=True)
        else:
            from babel.messages.catalog import Catalog

            catalog = Catalog(locale=lang, domain=DOMAIN, project="return-cost-calculator", charset="utf-8")
            catalog.update(template, no_fuzzy_matching=True)
        with open(path, "wb") as fh:
            write_po(fh, catalog, width=100, omit_header=False, sort_by_file=True, ignore_obsolete=True)
        path.with_suffix(".mo").write_bytes(compiled(read(lang)))
        missing = sum(1 for m in read(lang) if m.id and not (m.string if isinstance(m.string, str) else all(m.string)))
        print(f"{path}: {len(template)} messages, {missing} without a translation", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
