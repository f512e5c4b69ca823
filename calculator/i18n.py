"""Languages: which one the texts are in, and their translations.

English and Russian. The language is, in this order: the one set with :func:`set_language` (the
command line's ``--lang``), ``RETURNCOST_LANG``, the locale of the environment (``LC_ALL``,
``LC_MESSAGES``, ``LANG``: ``ru_RU.UTF-8`` means Russian), else English; a locale that cannot be
read means English, without an error. Only what a person reads changes with the language: JSON
keys, CSV column names, option codes and warning codes stay as they are.

Texts are marked with :func:`_` (and :func:`ngettext` for counts) and translated with
:mod:`gettext`. The catalogs are ``calculator/locale/<lang>/LC_MESSAGES/returncost.po`` (in the
repository, edited by people) and the ``.mo`` compiled from them (shipped in the wheel, read at run
time); ``python -m calculator.i18n`` re-extracts the messages from the source, updates the ``.po``
files and compiles them (Babel). Numbers, money and dates are written by Babel (CLDR) in
:mod:`calculator.formatting`.
"""

from __future__ import annotations

import contextlib
import functools
import gettext
import os
import re
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path

from . import errors as _errors
from .errors import InputError

__all__ = ["LANGUAGES", "DOMAIN", "set_language", "get_language", "language", "Views", "language_from_environment",
           "_", "N_", "ngettext", "babel_locale"]

#: The languages, each with its own name.
LANGUAGES: dict[str, str] = {"en": "English", "ru": "русский"}
DOMAIN = "returncost"

_chosen: list[str | None] = [None]  # set_language's choice (None: from the environment)


def language_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """The language the environment asks for: ``RETURNCOST_LANG``, then the first locale variable
    that is set (``LC_ALL``, ``LC_MESSAGES``, ``LANG``); English when none names a known language.

    Examples
    --------
    >>> language_from_environment({"LANG": "ru_RU.UTF-8"}), language_from_environment({"LANG": "C"})
    ('ru', 'en')
    >>> language_from_environment({"RETURNCOST_LANG": "ru", "LANG": "en_GB.UTF-8"})
    'ru'
    """
    env = os.environ if environ is None else environ
    if env.get("RETURNCOST_LANG", "").strip():
        lang = _normalise(env["RETURNCOST_LANG"])
        if lang in LANGUAGES:
            return lang
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "").strip()
        if value:
            lang = _normalise(value)
            return lang if lang in LANGUAGES else "en"
    return "en"


def _normalise(text: str) -> str:
    """``ru_RU.UTF-8`` → ``ru``; anything unreadable → ``""``."""
    m = re.match(r"^\s*([A-Za-z]{2,3})(?:[_-][A-Za-z0-9]+)?(?:\.[\w-]+)?(?:@\w+)?\s*$", str(text))
    return m.group(1).lower() if m else ""


def set_language(lang: str | None) -> None:
    """Write every later text in ``lang`` (``"en"`` or ``"ru"``); ``None`` goes back to the
    environment's choice.

    Raises
    ------
    InputError
        An unknown language, listing the languages.
    """
    if lang is None:
        _chosen[0] = None
        return
    key = _normalise(lang)
    if key not in LANGUAGES:
        choices = ", ".join(f"{k} ({v})" for k, v in LANGUAGES.items())
        raise InputError(_("--lang: {value!r} is not a language of this tool; choose {languages}").format(
            value=lang, languages=choices))
    _chosen[0] = key


def get_language() -> str:
    """The language texts are written in now."""
    return _chosen[0] or language_from_environment()


@contextlib.contextmanager
def language(lang: str | None) -> Iterator[str]:
    """Write texts in ``lang`` inside the ``with`` block (``None``: leave the language as it is).

    Examples
    --------
    >>> with language("ru"):
    ...     get_language()
    'ru'
    """
    before = _chosen[0]
    if lang is not None:
        set_language(lang)
    try:
        yield get_language()
    finally:
        _chosen[0] = before

class Views:
    """``text(lang=)`` and ``html(lang=)`` for a result object: its ``str()`` and its Jupyter
    HTML in the language ``lang`` (``None``: the current one), the language around it unchanged."""

    __slots__ = ()

    def text(self, lang: str | None = None) -> str:
        """The object as text, in ``lang``."""
        with language(lang):
            return str(self)

    def html(self, lang: str | None = None) -> str:
        """The object as Jupyter shows it (HTML), in ``lang``."""
        with language(lang):
            return self._repr_html_()  # type: ignore[attr-defined]



def locale_dir() -> Path:
    """The folder of the compiled catalogs (inside the installed package)."""
    return Path(str(resources.files(__package__) / "locale"))


@functools.cache
def _translations(lang: str) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, localedir=locale_dir(), languages=[lang])


def _(message: str) -> str:
    """``message`` in the current language (the English text is the key)."""
    return _translations(get_language()).gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for translation where it is defined (a table of words); it is translated
    with :func:`_` where it is shown."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for the count ``n`` in the current language (Russian has three)."""
    return _translations(get_language()).ngettext(singular, plural, n)


def babel_locale() -> str:
    """The Babel (CLDR) locale of the current language, for numbers, money and dates."""
    return get_language()


_errors._translate = _  # the data-file errors' "file, line n:" in the current language
