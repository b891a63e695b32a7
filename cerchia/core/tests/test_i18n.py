"""Italian: the catalogue is complete, fresh and compiled; the language follows the profile, then
the switcher's cookie, then the browser; dates and numbers are localised."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from gettext import GNUTranslations
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import floatformat
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format, localize, number_format
from django.utils.translation import gettext, ngettext, pgettext

import cerchia
from cerchia.accounts.models import User
from cerchia.communities.models import Community

PACKAGE_DIR = Path(cerchia.__file__).resolve().parent
MESSAGES_DIR = PACKAGE_DIR / "locale" / "it" / "LC_MESSAGES"
PO_PATH = MESSAGES_DIR / "django.po"
MO_PATH = MESSAGES_DIR / "django.mo"
# The same options as `make messages`.
MAKEMESSAGES = [
    "-l",
    "it",
    "--no-obsolete",
    "--ignore=tests/*",
    "--ignore=*/tests/*",
    "-d",
    "django",
]
GETTEXT_TOOLS = ("xgettext", "msgmerge", "msguniq", "msgattrib")
FIX = "Run `make messages`, translate, and commit django.po and django.mo."


# --- A small .po reader --------------------------------------------------------------------------


@dataclass
class Message:
    line: int
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    @property
    def translations(self) -> list[str]:
        return [self.msgstr[index] for index in sorted(self.msgstr)]

    def __str__(self) -> str:
        context = f" [{self.msgctxt}]" if self.msgctxt is not None else ""
        return f"django.po:{self.line}{context} {self.msgid!r}"


_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")$")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}


def _unquote(quoted: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m[1], m[1]), quoted.strip()[1:-1])


def parse_po(text: str) -> list[Message]:
    """Entries of a .po file (header included, obsolete ``#~`` entries left out)."""
    messages: list[Message] = []
    current: Message | None = None
    target: tuple[str, int] | None = None  # the field continuation lines extend
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        # A comment or a msgctxt/msgid after the translation starts the next entry.
        starts_entry = line.startswith("#") or line.startswith(("msgctxt ", "msgid "))
        if current is None or (starts_entry and current.msgstr):
            current = Message(line=number)
            messages.append(current)
            target = None
        if line.startswith("#,"):
            current.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#:"):
            current.references += line[2:].split()
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert target is not None, f"django.po:{number}: a string continues nothing"
            name, number_of_form = target
            if name == "msgstr":
                current.msgstr[number_of_form] += _unquote(line)
            else:
                setattr(current, name, getattr(current, name) + _unquote(line))
        else:
            match = _KEYWORD.match(line)
            assert match, f"django.po:{number}: cannot read {line!r}"
            name, index, value = match.groups()
            if name == "msgstr":
                current.msgstr[int(index or 0)] = _unquote(value)
            else:
                setattr(current, name, _unquote(value))
                if name == "msgid":
                    current.line = number
            target = (name, int(index or 0))
    return messages


def read_catalogue(path: Path = PO_PATH) -> list[Message]:
    """The translatable messages of a .po file (without its header)."""
    return [m for m in parse_po(path.read_text(encoding="utf-8")) if m.msgid]


def _listing(problems: list[str], fix: str = FIX) -> str:
    return "\n  " + "\n  ".join(problems) + f"\n{fix}"


def test_the_reader_understands_the_po_format() -> None:
    text = (
        '#, fuzzy\nmsgid ""\nmsgstr ""\n"Language: it\\n"\n\n'
        '#: a.py:1\n#, python-format\nmsgctxt "ctx"\nmsgid ""\n"Say \\"%(x)s\\" "\n"twice"\n'
        'msgstr "Di\' \\"%(x)s\\" due volte"\n'
        'msgid "%(n)s cat"\nmsgid_plural "%(n)s cats"\nmsgstr[0] "%(n)s gatto"\n'
        'msgstr[1] "%(n)s gatti"\n\n#~ msgid "gone"\n#~ msgstr "andato"\n'
    )
    header, first, second = parse_po(text)
    assert header.flags == {"fuzzy"}
    assert header.msgstr == {0: "Language: it\n"}
    assert first.key == ("ctx", 'Say "%(x)s" twice', None)
    assert first.flags == {"python-format"}
    assert first.translations == ['Di\' "%(x)s" due volte']
    assert second.key == (None, "%(n)s cat", "%(n)s cats")
    assert second.translations == ["%(n)s gatto", "%(n)s gatti"]


# --- The committed catalogue ---------------------------------------------------------------------


def test_the_header_names_italian_and_its_plural_rule() -> None:
    header = parse_po(PO_PATH.read_text(encoding="utf-8"))[0]
    assert header.msgid == ""
    assert "fuzzy" not in header.flags
    assert "Language: it\n" in header.msgstr[0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header.msgstr[0]
    assert "charset=UTF-8" in header.msgstr[0]


def test_every_message_is_translated_and_none_is_fuzzy() -> None:
    problems = []
    for message in read_catalogue():
        if "fuzzy" in message.flags:
            problems.append(f"fuzzy: {message}")
        elif message.msgid_plural is not None and sorted(message.msgstr) != [0, 1]:
            problems.append(f"needs msgstr[0] and msgstr[1]: {message}")
        elif not all(text.strip() for text in message.translations):
            problems.append(f"untranslated: {message}")
    assert not problems, "Italian catalogue is incomplete:" + _listing(problems)


_NAMED = re.compile(r"%\((\w+)\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
_POSITIONAL = re.compile(r"%[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
_BRACES = re.compile(r"(?<!\{)\{(\w*)(?:[:!][^{}]*)?\}(?!\})")


def _placeholders(text: str) -> tuple[frozenset[str], tuple[str, ...], frozenset[str]]:
    text = text.replace("%%", "")
    named = frozenset(_NAMED.findall(text))
    positional = tuple(_POSITIONAL.findall(_NAMED.sub("", text)))
    return named, positional, frozenset(_BRACES.findall(text))


def test_translations_keep_every_placeholder() -> None:
    problems = []
    for message in read_catalogue():
        sources = [message.msgid] + ([message.msgid_plural] if message.msgid_plural else [])
        wanted = [_placeholders(source) for source in sources]
        named = frozenset().union(*(w[0] for w in wanted))
        braces = frozenset().union(*(w[2] for w in wanted))
        positional = wanted[-1][1]
        for index, text in sorted(message.msgstr.items()):
            got_named, got_positional, got_braces = _placeholders(text)
            for kind, got, expected in (
                ("names", got_named, named),
                ("braces", got_braces, braces),
                ("printf", got_positional, positional),
            ):
                if kind == "printf" and "python-format" not in message.flags:
                    continue
                if got != expected:
                    problems.append(
                        f"msgstr[{index}] {kind} {sorted(got)} != {sorted(expected)}: {message}"
                    )
    assert not problems, "Placeholders differ between English and Italian:" + _listing(problems)


def test_the_compiled_catalogue_matches_the_po() -> None:
    with MO_PATH.open("rb") as handle:
        compiled = GNUTranslations(handle)
    assert compiled.info().get("language") == "it"
    stale = []
    for message in read_catalogue():
        if "fuzzy" in message.flags:
            continue
        context = message.msgctxt
        if message.msgid_plural is None:
            got = [
                compiled.pgettext(context, message.msgid)
                if context is not None
                else compiled.gettext(message.msgid)
            ]
        else:
            # Italian: n == 1 uses msgstr[0], anything else msgstr[1].
            got = [
                compiled.npgettext(context, message.msgid, message.msgid_plural, n)
                if context is not None
                else compiled.ngettext(message.msgid, message.msgid_plural, n)
                for n in (1, 2)
            ]
        if got != message.translations:
            stale.append(str(message))
    assert not stale, "django.mo is older than django.po:" + _listing(stale)


def _makemessages_env() -> dict[str, str]:
    # No settings: with them, makemessages would write into settings.LOCALE_PATHS, which is the
    # real package's catalogue, not the copy's.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(PACKAGE_DIR.parent), env.get("PYTHONPATH")])
    )
    return env


@pytest.mark.skipif(
    not all(shutil.which(tool) for tool in GETTEXT_TOOLS),
    reason="GNU gettext (xgettext, msgmerge, msguniq, msgattrib) is not installed, "
    "so the strings in the code cannot be extracted here",
)
def test_every_string_in_the_code_is_in_the_catalogue(tmp_path: Path) -> None:
    copy = tmp_path / "cerchia"
    shutil.copytree(
        PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "locale", "media")
    )
    (copy / "locale").mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "django", "makemessages", *MAKEMESSAGES],
        cwd=copy,
        env=_makemessages_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    extracted = read_catalogue(copy / "locale" / "it" / "LC_MESSAGES" / "django.po")
    assert len(extracted) > 100, "makemessages found almost nothing; is the copy complete?"
    committed = {message.key for message in read_catalogue()}
    missing = [
        f"{' '.join(message.references[:3])} {message.msgid!r}"
        for message in extracted
        if message.key not in committed
    ]
    assert not missing, "Strings in the code are missing from the Italian catalogue:" + _listing(
        missing
    )


# The names makemessages tells xgettext to look for: a string marked through any other name (say
# ``gettext_lazy as _lazy``) is never extracted, so it would stay English without any test noticing.
XGETTEXT_KEYWORDS = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}


def test_strings_are_marked_with_names_makemessages_knows() -> None:
    problems = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = path.relative_to(PACKAGE_DIR).parts
        if "tests" in parts or "migrations" in parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
                for alias in node.names:
                    name = alias.asname or alias.name
                    if "gettext" in alias.name and name not in XGETTEXT_KEYWORDS:
                        problems.append(f"{'/'.join(parts)}:{node.lineno}: {alias.name} as {name}")
    fix = "Import it under its own name (or as `_`), then run `make messages` and translate."
    assert not problems, "Strings marked through these names are never extracted:" + _listing(
        problems, fix
    )


# --- Translations, dates and numbers at run time -------------------------------------------------


def test_key_strings_are_italian() -> None:
    with translation.override("it"):
        assert gettext("Sign in") == "Accedi"
        assert gettext("Sign up") == "Registrati"
        assert gettext("Communities") == "Community"
        assert gettext("Hosts") == "Organizzatori"
        assert gettext("Join community") == "Unisciti alla community"
        assert ngettext("%(counter)s member", "%(counter)s members", 1) % {"counter": 1} == (
            "1 membro"
        )
        assert ngettext("%(counter)s member", "%(counter)s members", 3) % {"counter": 3} == (
            "3 membri"
        )
        assert pgettext("sponsored by <name>", "Sponsored by") == "Sponsorizzato da"
        assert str(dict(settings.LANGUAGES)["it"]) == "Italiano"
    with translation.override("en"):
        assert gettext("Sign in") == "Sign in"


def test_dates_are_italian() -> None:
    day = date(2026, 3, 5)
    with translation.override("it"):
        assert date_format(day, "DATE_FORMAT") == "5 Marzo 2026"
        assert date_format(day, "SHORT_DATE_FORMAT") == "05/03/2026"
    with translation.override("en"):
        assert date_format(day, "DATE_FORMAT") == "March 5, 2026"


def test_numbers_are_italian() -> None:
    with translation.override("it"):
        assert localize(Decimal("1234.5")) == "1234,5"
        assert floatformat(1234.5, "2g") == "1.234,50"
        assert number_format(1234567, force_grouping=True) == "1.234.567"
        assert intcomma(1234567) == "1.234.567"
    with translation.override("en"):
        assert floatformat(1234.5, "2g") == "1,234.50"


# --- Choosing the language -----------------------------------------------------------------------

ITALIAN_DIRECTORY = "Cerca per nome, nicchia o interesse"
ENGLISH_DIRECTORY = "Search by name, niche or interest"


def _language_of(response: Any) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    lang = re.search(r'<html lang="([\w-]+)"', html)
    assert lang, "the page has no <html lang>"
    if lang[1] == "it":
        assert ITALIAN_DIRECTORY in html
        assert ENGLISH_DIRECTORY not in html
    return lang[1]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept", "expected"), [("it", "it"), ("it-IT,it;q=0.9", "it"), ("en", "en"), ("de", "en")]
)
def test_a_visitor_gets_the_browser_language(client: Client, accept: str, expected: str) -> None:
    response = client.get("/c/", HTTP_ACCEPT_LANGUAGE=accept)
    assert _language_of(response) == expected
    assert response["Content-Language"] == expected


@pytest.mark.django_db
def test_the_switcher_sets_a_cookie_that_beats_the_browser(client: Client) -> None:
    page = client.get("/c/", HTTP_ACCEPT_LANGUAGE="en")
    assert 'action="/language/"' in page.content.decode()
    response = client.post("/language/", {"language": "it", "next": "/c/"})
    assert response.status_code == 302
    assert response["Location"] == "/c/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "it"
    assert _language_of(client.get("/c/", HTTP_ACCEPT_LANGUAGE="en")) == "it"
    client.post("/language/", {"language": "en", "next": "/c/"})
    assert _language_of(client.get("/c/", HTTP_ACCEPT_LANGUAGE="it")) == "en"


@pytest.mark.django_db
def test_the_switcher_refuses_an_unknown_language(client: Client) -> None:
    response = client.post("/language/", {"language": "xx", "next": "/c/"})
    assert response.status_code == 400
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("profile", "accept", "expected"), [("it", "en", "it"), ("en", "it", "en"), ("", "it", "it")]
)
def test_a_members_profile_language_beats_the_browser(
    client: Client, member: User, profile: str, accept: str, expected: str
) -> None:
    member.language = profile
    member.save(update_fields=["language"])
    client.force_login(member)
    assert _language_of(client.get("/c/", HTTP_ACCEPT_LANGUAGE=accept)) == expected


@pytest.mark.django_db
def test_a_members_profile_language_beats_an_old_cookie(client: Client, member: User) -> None:
    member.language = "it"
    member.save(update_fields=["language"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(member)
    assert _language_of(client.get("/c/", HTTP_ACCEPT_LANGUAGE="en")) == "it"


@pytest.mark.django_db
def test_the_switcher_saves_a_members_choice_in_the_profile(client: Client, member: User) -> None:
    client.force_login(member)
    client.post("/language/", {"language": "it", "next": "/c/"})
    member.refresh_from_db()
    assert member.language == "it"
    # Signed in elsewhere, without the cookie, the choice follows the member.
    other = Client()
    other.force_login(member)
    assert _language_of(other.get("/c/", HTTP_ACCEPT_LANGUAGE="en")) == "it"


@pytest.mark.django_db
def test_the_sign_in_page_is_italian_too(client: Client) -> None:
    # allauth's own strings come from allauth's Italian catalogue, the layout's from ours.
    html = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert '<html lang="it"' in html
    assert "Password dimenticata?" in html
    assert "Registrati" in html
    assert "Vai al contenuto" in html


@pytest.mark.django_db
def test_a_community_page_in_italian_has_italian_dates(
    client: Client, public_community: Community
) -> None:
    Community.objects.filter(pk=public_community.pk).update(
        created_at=public_community.created_at.replace(year=2026, month=3, day=5, hour=12)
    )
    html = client.get(f"/c/{public_community.slug}/", HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert '<html lang="it"' in html
    assert "In breve" in html
    assert "Creata il" in html
    assert "5 Marzo 2026" in html
