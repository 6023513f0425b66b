"""The Turkish and Arabic catalogues: complete, faithful to their msgids, and up to date with the code."""

import ast
import gettext
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGES = ("tr", "ar")
PLURAL_FORMS = {"tr": 2, "ar": 6}
# Msgids whose translation may be the msgid itself: units, product names and codes read alike.
SAME_IN = {
    "tr": {
        "%(duration)s ms",
        "%(segments)s SMS",
        '<strong data-counter="segments">%(segments)s</strong> SMS',
        "1 SMS",
        "Token",
        "%(status)s: %(at)s.",
        "SMPP deliver_sm",
    },
    "ar": {"%(percent)s%%", "%(rate)s%%", "%(status)s: %(at)s.", "SMPP deliver_sm"},
}
# What makemessages reads, as README "Translations" runs it (a copy of these is scanned).
SOURCES_IGNORED = (
    ".venv",
    "var",
    "staticfiles",
    "static",
    "bench",
    "tests",
    "docs",
    "locale",
    ".*",
)
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s|%%|\{[a-z_]+\}")
TAG = re.compile(r"</?[a-z]+(?: [^>]*)?>")


def read_po(path: Path) -> dict[str, dict]:
    """Entries of a .po file by key (context + EOT + msgid): msgid, plural, msgstr list, flags."""
    entries: dict[str, dict] = {}
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        entry: dict = {
            "msgctxt": "",
            "msgid": None,
            "msgid_plural": None,
            "msgstr": [],
            "flags": "",
        }
        field = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] = line
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                value = ast.literal_eval(line)
                if field == "msgstr":
                    entry["msgstr"][-1] += value
                else:
                    entry[field] += value
            else:
                keyword, _, literal = line.partition(" ")
                field = "msgstr" if keyword.startswith("msgstr") else keyword
                if field == "msgstr":
                    entry["msgstr"].append(ast.literal_eval(literal))
                else:
                    entry[field] = ast.literal_eval(literal)
        if entry["msgid"]:  # the header has an empty msgid
            entries[f"{entry['msgctxt']}\x04{entry['msgid']}"] = entry
    return entries


def catalogue(language: str) -> dict[str, dict]:
    return read_po(LOCALE / language / "LC_MESSAGES" / "django.po")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_msgid_has_a_translation(language):
    entries = catalogue(language)
    untranslated = [
        entry["msgid"]
        for entry in entries.values()
        if not all(entry["msgstr"])
        or (entry["msgstr"][0] == entry["msgid"] and entry["msgid"] not in SAME_IN[language])
    ]
    fuzzy = [entry["msgid"] for entry in entries.values() if "fuzzy" in entry["flags"]]
    assert len(entries) > 400
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_placeholders_and_markup(language):
    """Same %(name)s, {status} and HTML tags as the msgid; no new quote that could end an attribute."""
    wrong = []
    for entry in catalogue(language).values():
        if entry["msgid_plural"] is not None:
            assert len(entry["msgstr"]) == PLURAL_FORMS[language], entry["msgid"]
        for text in entry["msgstr"]:
            for pattern in (PLACEHOLDER, TAG):
                if sorted(pattern.findall(text)) != sorted(pattern.findall(entry["msgid"])):
                    wrong.append((entry["msgid"], text))
            if text.count('"') != entry["msgid"].count('"'):
                wrong.append((entry["msgid"], text))
    assert wrong == []


def test_turkish_is_written_with_its_own_letters():
    """İ/ı, ş, ğ and the rest, not their look-alikes from an English keyboard."""
    text = " ".join(" ".join(entry["msgstr"]) for entry in catalogue("tr").values())
    assert re.search(r"\b(Iptal|Kullanici|Basarisiz|Gonder|Sablon|Baglayici)", text) is None
    for word in (
        "İptal",
        "Kullanıcı adı",
        "Başarısız",
        "Gönderici",
        "Şablon",
        "Bağlayıcı",
        "İleti",
    ):
        assert word in text


def test_compiled_catalogues_match_the_po_files():
    """The committed .mo files hold every translation (so installing needs no gettext)."""
    for language in LANGUAGES:
        compiled = gettext.GNUTranslations(
            (LOCALE / language / "LC_MESSAGES" / "django.mo").open("rb")
        )
        for key, entry in catalogue(language).items():
            context, _, msgid = key.partition("\x04")
            if entry["msgid_plural"] is not None:
                assert compiled.ngettext(msgid, entry["msgid_plural"], 1) in entry["msgstr"]
            elif context:
                assert compiled.pgettext(context, msgid) == entry["msgstr"][0]
            else:
                assert compiled.gettext(msgid) == entry["msgstr"][0], msgid


@pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="gettext is not installed (apt-get install gettext)"
)
def test_catalogues_are_up_to_date_with_the_code(tmp_path):
    """makemessages on a copy of the code finds exactly the msgids the committed catalogues hold."""
    root = Path(settings.BASE_DIR)
    copy = tmp_path / "src"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(*SOURCES_IGNORED, "__pycache__"))
    shutil.copytree(root / "locale", copy / "locale")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "tr", "-l", "ar", "--no-location"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    for language in LANGUAGES:
        fresh = read_po(copy / "locale" / language / "LC_MESSAGES" / "django.po")
        assert set(fresh) == set(catalogue(language)), (
            "Catalogues out of date: run the commands in README's Translations section."
        )
