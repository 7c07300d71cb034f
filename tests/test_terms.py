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


@pytest.mark.parametrize(
    "spellings",
    [
        ("2023-12-07", "7 December 2023", "December 7, 2023", "Dec. 7th, 2023", "7th of Dec 2023"),
        ("2024-03-05", "05/03/2024", "03/05/2024", "March 5, 2024", "2024-03-05T10:00"),
    ],
)
def test_a_date_is_one_term_however_it_is_written(spellings):
    day = {t for t in terms(spellings[0]) if t.startswith("d2")}
    assert len(day) == 1
    for spelling in spellings[1:]:
        assert day <= set(terms(spelling)), spelling


def test_a_date_s_day_and_month_are_its_term_not_words():
    # "9" of "9 March 2024" is no "9" of "9.5 hours"; a table's "2024-03-09" has no "03".
    assert terms("Who loaded the kiln on 9 March 2024?") == [
        "load", "kiln", "march", "2024", "d20240309", "m202403",
    ]  # fmt: skip
    assert terms("| 2024-03-09 | 9.5 |") == ["2024", "9", "5", "d20240309", "m202403"]


def test_a_month_named_with_its_year_meets_the_dates_in_it():
    assert "m202312" in terms("What did the studio fire in December 2023?")
    assert "m202312" in terms("| 2023-12-07 | Big Blue | cone 10 |")
    # Not a date: a version, a verb, a number in a phone.
    for text in ("version 1.2.3", "they may 2023", "call 555-1234-12", "pages 12-31"):
        assert not [t for t in terms(text) if t[:2] in ("d1", "d2", "m1", "m2")], text
