"""How the answer stage tells sentences that say the same thing apart from those that do not."""

from __future__ import annotations

from askseeds.answer.select import _same_statement

LONG = (
    "HELP: Perhaps policy should state the purpose of this group so users may be safely "
    "added to it, in certainty that all they'll be able to do is read logs."
)


def test_shared_function_words_do_not_make_a_twin() -> None:
    # Four of its five words ("this", "is", "to", "help") are in LONG; its subject is not.
    assert not _same_statement("This is to help interoperability.", LONG)
    assert not _same_statement(LONG, "This is to help interoperability.")


def test_a_reworded_copy_is_a_twin() -> None:
    copy = (
        "Perhaps the policy should state this group's purpose, so that users may be safely "
        "added to it in certainty that all they will be able to do is read logs."
    )
    assert _same_statement(copy, LONG)


def test_short_statements_must_use_the_same_content_words() -> None:
    assert _same_statement("Install it with pip.", "Install it with pip!")
    assert not _same_statement("Install it with pip.", "Install it with conda.")
    assert not _same_statement("It is what it is.", "It is what it is.")  # says nothing
