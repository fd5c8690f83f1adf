"""Documentation that must not fall behind the code (after datasette's documented-settings tests)."""

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def test_every_environment_variable_is_documented():
    settings = (REPO / "delbar" / "settings.py").read_text()
    used = set(re.findall(r'env_(?:str|bool|int|list)\("([A-Z_]+)"', settings))
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", (REPO / "docs" / "configuration.md").read_text(), re.M))
    assert used - documented == set(), "add these to docs/configuration.md"
    assert documented - used == set(), "these are documented but not read"


def test_readme_starts_with_the_two_commands():
    readme = (REPO / "README.md").read_text().splitlines()
    commands = [line for line in readme[:8] if line.startswith("./dev ")]
    assert [line.split()[1] for line in commands] == ["demo", "test"]


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_norwegian_catalogue_is_complete(language):
    import polib

    catalogue = polib.pofile(str(REPO / "delbar" / "locale" / language / "LC_MESSAGES" / "django.po"))
    assert catalogue.percent_translated() == 100
    assert not [entry.msgid for entry in catalogue.fuzzy_entries()]


def test_norwegian_catalogues_hold_the_same_messages():
    # makemessages run for one language and not the other leaves the other complete but behind the code.
    import polib

    def messages(language):
        path = REPO / "delbar" / "locale" / language / "LC_MESSAGES" / "django.po"
        return {(entry.msgctxt, entry.msgid) for entry in polib.pofile(str(path)) if not entry.obsolete}

    assert messages("nb") ^ messages("nn") == set(), "run makemessages -l nb -l nn -l en"
