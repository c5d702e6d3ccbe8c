"""The PO reader and POT writer used for content-pack translations."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from placeguard.core.po import Message, PoError, parse_po, render_pot

CATALOGUE = r"""
# a comment
msgid ""
msgstr ""
"Language: fr\n"

#: scenarios.yaml:a.name
msgid "Firearms attack"
msgstr "Attaque à l'arme à feu"

msgid ""
"A long text "
"in two parts"
msgstr "Un long texte "
"en deux parties"

msgid "Quote \"this\"\tand\\that\nnext"
msgstr "Citer « ceci »"

#, fuzzy
msgid "Drone attack"
msgstr "Attaque de drone (à revoir)"

msgid "Untranslated"
msgstr ""
msgctxt "menu"
msgid "Open"
msgstr "Ouvrir"
"""


def test_reads_entries_multiline_strings_and_escapes() -> None:
    catalogue = parse_po(CATALOGUE)
    assert catalogue["Firearms attack"] == "Attaque à l'arme à feu"
    assert catalogue["A long text in two parts"] == "Un long texte en deux parties"
    assert catalogue['Quote "this"\tand\\that\nnext'] == "Citer « ceci »"
    assert catalogue["Open"] == "Ouvrir"


def test_fuzzy_empty_and_header_entries_are_left_out() -> None:
    catalogue = parse_po(CATALOGUE)
    assert "Drone attack" not in catalogue
    assert "Untranslated" not in catalogue
    assert "" not in catalogue


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('msgid "a"\nmsgstr "b\n', "fr.po:2"),
        ('msgid "a"\nmsgstr "b"\nmsgplural "c"\n', "fr.po:3"),
        ('"orphan"\n', "fr.po:1"),
        ('msgid "a\\q"\nmsgstr "b"\n', "fr.po:1"),
    ],
)
def test_errors_name_the_line(text: str, where: str) -> None:
    with pytest.raises(PoError, match=where):
        parse_po(text, source="fr.po")


@given(st.lists(st.text(min_size=1).filter(lambda s: "\x00" not in s), min_size=1, max_size=5))
def test_a_template_filled_in_reads_back(texts: list[str]) -> None:
    pot = render_pot((Message(t, (f"file:{i}",)) for i, t in enumerate(texts)), project="t")
    # fill in every msgstr with a marker: each msgid must come back exactly
    filled = pot.replace('msgstr ""\n\n', 'msgstr "X"\n\n')
    catalogue = parse_po(filled)
    assert set(catalogue) == set(texts)
    assert pot.count("#: file:") == len(texts)
