"""terms(): spellings and initialisms on hand-made cases whose right result is known."""

from __future__ import annotations

import pytest

from askseeds.terms import terms, words


@pytest.mark.parametrize(
    ("british", "american"),
    [
        ("co-organised", "co-organized"),
        ("organisation", "organization"),
        ("colour", "color"),
        ("neighbours", "neighbors"),
        ("centre", "center"),
        ("theatres", "theaters"),
        ("catalogue", "catalog"),
        ("defence", "defense"),
        ("travelled", "traveled"),
        ("programme", "program"),
        ("analysed", "analyzed"),
        ("judgement", "judgment"),
    ],
)
def test_british_and_american_spellings_give_one_term(british, american):
    assert terms(british) == terms(american)


@pytest.mark.parametrize(
    "forms",
    [
        ("advertise", "advertised", "advertising", "advertisement"),
        ("exercise", "exercised"),
        ("surprise", "surprising"),
        ("promise", "promised"),
        ("rise", "rising"),
    ],
)
def test_words_spelt_ise_in_american_too_still_meet_their_derivatives(forms):
    # Rewritten to "-ize", "advertise" would no longer meet "advertisement".
    assert len({tuple(terms(f)) for f in forms}) == 1


def test_dotted_initialisms_read_as_one_word():
    assert terms("the U.S. side") == terms("the US side") == ["us", "side"]
    assert words("Washington, D.C.") == ["washington", "dc"]
    assert words("Mr. Lin spoke.") == ["mr", "lin", "spoke"]  # one letter before a dot only


def test_command_line_options_are_terms_as_written():
    assert terms("What does grep -v do?") == ["grep", "v", "-v"]
    assert terms("-V, --invert-match")[-2:] == ["-V", "--invert-match"]
    # not a hyphenated word's second half, a negative number or a list's dash
    assert not [t for t in terms("a well-known e-mail, -5 degrees - and x-ray") if t[0] == "-"]
