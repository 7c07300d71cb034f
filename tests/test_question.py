"""Reading questions and sentences: question kinds, years, places, follow-ups."""

from __future__ import annotations

import math

import pytest

from askseeds.answer.features import (
    FEATURES,
    asks_year,
    candidate_features,
    defined_subject,
    expands,
    expansion_asked,
    focus_slot,
    identifiers,
    is_statement,
    question_kind,
    read_question,
    read_sentence,
    type_match,
)
from askseeds.answer.query import resolve_followup, strip_request
from askseeds.terms import name_terms, terms, words


@pytest.mark.parametrize(
    ("question", "wants"),
    [
        ("In what year did Nanjing and St. Louis become sister cities?", True),
        ("Since which year have the two cities been partners?", True),
        ("What years did the program run?", True),
        ("When did Hebei and Iowa become sister states?", False),
        ("How many years did the partnership last?", False),
    ],
)
def test_year_questions(question, wants):
    assert asks_year(question) is wants


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Which U.S. city is Suzhou's sister city?", "place"),
        ("Which Washington state city did he visit in 2015?", "place"),
        ("In which province is Suzhou located?", "place"),
        ("What is the state of the partnership?", "other"),
        ("What was the theme of the conference?", "other"),
        ("Who opened the conference?", "name"),
        ("How many pairs are there?", "number"),
        ("What was the average cost of a 30-second commercial?", "number"),
        ("What is the annual budget of the committee?", "number"),
        ("What is the population of Suzhou?", "number"),
        ("What dev-set accuracy does the pairwise model reach?", "number"),  # the measure first
        ("What resolution were the cameras increased to?", "number"),
        ("What does the sampling rate control?", "other"),  # asks what it does, not how much
        ("What was the idealized value of imperialism?", "other"),  # a value, not a figure
        ("What makes day length constant on Earth?", "other"),
        ("Which parameter enables following redirects?", "code"),
        ("What command installs the package?", "code"),
        ("What method did Maududi use?", "other"),  # prose's words for a way of doing
        ("What function does ozone perform?", "other"),
        ("What is the default port?", "value"),
        ("What is the default value of SESSION_COOKIE_NAME?", "value"),
        ("What does TIMEOUT default to?", "value"),
        ("Which features are on by default?", "other"),  # names things, not a value
        ("Which Python versions does pytest support?", "number"),  # a version is a figure
        ("In which version were the new APIs introduced?", "number"),
        ("Which OpenSSL release added support for TLSv1.3?", "number"),  # a release's number
        ("What release date was announced?", "other"),  # not a release's number
        ("What agency aired the Spanish version?", "other"),  # the version is not asked for
        ("What keyboard shortcut opens the command palette?", "keys"),
        ("Which hotkey toggles the sidebar?", "keys"),
        ("What is the shortcut for saving a file?", "keys"),
        ("Why doesn't !cd change the working directory?", "reason"),
        ("For what reason was the treaty signed?", "reason"),
        ("What was the main reason for the delay?", "reason"),
        ("What did the reason of state justify?", "other"),  # asks a thing, not why
    ],
)
def test_question_kinds(question, kind):
    assert question_kind(question) == kind


@pytest.mark.parametrize(
    ("question", "names"),
    [
        ("Which OpenSSL release fixed CVE-2014-0160?", ("cve-2014-0160",)),
        ("Which release added support for TLSv1.3?", ("tlsv1.3",)),
        ("When was OpenSSL 3.0.16 released?", ("3.0.16",)),
        ("What does RFC8446 define?", ("rfc8446",)),
        # figures, ordinals and decades are no names
        ("Who won Super Bowl 50 in 2016?", ()),
        ("How many of the 1,000 pairs were sold in the 21st century or the 1960s?", ()),
        ("When was grep 3.6 released?", ("3.6",)),
    ],
)
def test_names_spelled_with_digits(question, names):
    assert identifiers(question) == names


@pytest.mark.parametrize(
    ("sentence", "match"),
    [
        ("You can change it with the follow_redirects parameter:", 1.0),
        ("Pass --no-cooldown to skip waiting.", 1.0),
        ("Call `fire` with the schedule.", 1.0),
        ("$ pip install kilnctl", 1.0),
        ("By default, redirects are not followed, although this can be enabled.", 0.0),
        ("The well-known kiln-maker retired.", 0.0),  # hyphenated words are not flags
    ],
)
def test_a_code_question_wants_a_name_in_code(sentence, match):
    assert type_match("code", read_sentence(sentence), set()) == match


@pytest.mark.parametrize(
    ("sentence", "match"),
    [
        ("Default: 'session'", 1.0),
        ("Default: False", 1.0),
        ("Default: timedelta(days=31) (2678400 seconds)", 1.0),
        ("If session.permanent is true, the cookie's expiration will be set.", 0.0),
        ("The name of the session cookie.", 0.0),
        ("None of the settings is required.", 0.0),  # a sentence's first word, not a constant
    ],
)
def test_a_default_question_wants_a_value(sentence, match):
    assert type_match("value", read_sentence(sentence), set()) == match


@pytest.mark.parametrize(
    ("sentence", "match"),
    [
        ("Press `Ctrl+P` (or `Cmd+P` on macOS) to open the Command palette.", 1.0),
        ("In most file explorers, press Ctrl + h to show hidden files.", 1.0),
        ("Press ⌘K to search.", 1.0),
        ("You can paste an image from the clipboard with `cmd+alt+v`.", 1.0),  # VS Code's way
        # Obsidian's help: the sentence quoted for "What keyboard shortcut opens the command
        # palette?" uses the question's words and names no keys.
        ("Hotkeys are customizable keyboard shortcuts for Obsidian commands.", 0.0),
        ("Press the Command palette icon in the ribbon.", 0.0),
    ],
)
def test_a_shortcut_question_wants_a_key_combination(sentence, match):
    assert type_match("keys", read_sentence(sentence), set()) == match


@pytest.mark.parametrize(
    ("sentence", "match"),
    [
        ("The reason is that shell commands run in a temporary subshell.", 1.0),
        ("Per-CPU stats are disabled by default because they take up too much space.", 1.0),
        ("The flight was delayed due to fog.", 1.0),
        ("For this reason, `%timeit` results are usually faster.", 1.0),
        ("You can use the `%cd` magic command to change the working directory.", 0.0),
        ("Since 1979, the cities have exchanged delegations.", 0.0),  # a time, not a cause
    ],
)
def test_a_why_question_wants_a_reason(sentence, match):
    assert type_match("reason", read_sentence(sentence), set()) == match


@pytest.mark.parametrize(
    ("sentence", "match"),
    [
        ("The conference was held in Suzhou on Friday.", 1.0),  # a name after "in"
        ("Delegates toured the Qiantang River.", 1.0),  # a name before "River"
        ("Mayor Victoria Woodards spoke on Friday.", 0.5),  # names, none placed
        ("The delegates spoke about education.", 0.0),
        ("The conference was held in Hangzhou.", 0.0),  # only the place the question names
    ],
)
def test_place_questions_prefer_sentences_that_place_a_name(sentence, match):
    question = "Where was the Hangzhou conference held?"
    assert type_match("place", read_sentence(sentence), set(words(question))) == match


PRESIDENT = "Who is the president of the club?"
ORCHESTRA = "Which American orchestra was invited?"
THEME = "What was the theme of the forum?"


@pytest.mark.parametrize(
    ("question", "sentence", "slot"),
    [
        # A new name right before or after the focus noun, with or without a comma.
        (PRESIDENT, "Lin Wei, president of the club, spoke.", 1.0),
        (PRESIDENT, "Its President Lin Wei spoke.", 1.0),
        (PRESIDENT, "Lin Wei, vice-president of the club, spoke.", 1.0),  # noun inside a word
        (ORCHESTRA, "They invited the Baltimore Symphony Orchestra.", 1.0),
        (THEME, 'The forum, themed "Build Green Cities," opened.', 1.0),
        # The noun with no name beside it, or only names the question uses.
        (PRESIDENT, "The president of the club spoke.", 0.0),
        ("Who is the president of the Oregon Senate?", "The Oregon Senate president spoke.", 0.0),
        (THEME, "Xi sent a message to the Sister Cities Forum.", 0.0),
        # Only the focus noun counts, not a word modifying it.
        (ORCHESTRA, "Chinese and American leaders met in Beijing.", 0.0),
    ],
)
def test_focus_slot_finds_a_name_beside_the_asked_noun(question, sentence, slot):
    q = read_question(question, question, lambda _: 1.0)
    assert focus_slot(q.head, read_sentence(sentence), q.words) == slot


@pytest.mark.parametrize(
    ("sentence", "names_year"),
    [
        ("In 1979, the two countries set up ties.", True),
        ("Trade grew fast in the 1990s.", True),
        ("The bridge dates from the 19th century.", True),
        ("More than 1,200 people attended.", False),
        ("Exports rose 3.5 percent.", False),
        ("Seven delegations came.", False),
    ],
)
def test_sentences_naming_a_year(sentence, names_year):
    assert read_sentence(sentence).names_year is names_year


def test_the_two_and_both_lean_on_the_earlier_question():
    history = [{"role": "user", "content": "Which Chinese city has sister city ties with Boston?"}]
    for follow_up in ("Since what year have the two cities been partners?",
                      "When did both sign the agreement?"):
        assert resolve_followup(follow_up, history).startswith(history[0]["content"])
    standalone = "Which orchestra performed at the seventh China-U.S. Sister Cities Conference?"
    assert resolve_followup(standalone, history) == standalone


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("Tell me about Tacoma", "Tacoma"),
        ("Hello, tell me more about the Qiantang River.", "the Qiantang River"),
        ("What do the documents say about Boston?", "Boston"),
        ("Could you please tell me who the mayor of Tacoma is?", "who the mayor of Tacoma is"),
        ("Can you give me some information about Hangzhou, please?", "Hangzhou"),
        ("What do you know about Xie Feng?", "Xie Feng"),
        ("I'd like to know about Oregon", "Oregon"),
        # Nothing but a request, or no request at all: left as it is.
        ("Tell me about it", "Tell me about it"),
        ("Tell me", "Tell me"),
        ("Telling stories: who told them?", "Telling stories: who told them?"),
        ("What do the documents cover?", "What do the documents cover?"),
    ],
)
def test_a_request_around_the_question_is_taken_off(question, asked):
    assert strip_request(question) == asked


def test_an_earlier_request_lends_only_its_subject_to_a_follow_up():
    history = [{"role": "user", "content": "Tell me about Tacoma"}]
    assert resolve_followup("Who is its mayor?", history) == "Tacoma Who is its mayor?"


def test_candidate_features_on_a_hand_made_case():
    q = read_question("What was the theme of the conference?", "", idf=lambda t: 1.0)
    a = read_sentence("The conference theme was Green Cities.")
    b = read_sentence("The conference opened on Friday.")
    passage = a.present | b.present
    x = candidate_features(q, [a, b], [passage, passage], [0.5, -0.2], [1.0, 1.0], [0, 0])
    f = {name: x[:, i] for i, name in enumerate(FEATURES)}
    assert x.shape == (2, len(FEATURES))
    assert list(f["lexical"]) == pytest.approx([1.0, 0.5])  # "theme" and "conference" weigh half each
    # "theme" is in one candidate of two, "conference" in both: theme weighs more.
    theme, conference = 0.5 * math.log(1 + 3 / 2), 0.5 * math.log(1 + 3 / 3)
    assert list(f["contrast"]) == pytest.approx([1.0, conference / (theme + conference)])
    assert list(f["focus"]) == pytest.approx([1.0, 0.0])  # the focus noun is "theme"
    assert list(f["inherited"]) == pytest.approx([0.0, 0.5])  # b's passage says "theme"
    assert list(f["novelty"]) == pytest.approx([2 / 4, 2 / 3])  # green, city / open, friday
    assert list(f["bigram"]) == pytest.approx([0.0, 0.0])  # "theme conference" never side by side
    assert list(f["dense"]) == pytest.approx([0.5, 0.0])  # negative cosines count as 0
    assert list(f["type"]) == pytest.approx([0.5, 0.5])  # "what" asks for no particular kind


def test_a_sentence_inherits_what_the_one_before_it_names():
    # "It was his first visit" answers of the Oregon senator only after the sentence naming him.
    q = read_question("When did the Oregon Senate president first visit China?", "",
                      idf=lambda t: 1.0)  # fmt: skip
    named = read_sentence("Robert Wagner is the Oregon Senate president.")
    after = read_sentence("It was his first visit to China.")._replace(before=named.present)
    alone = read_sentence("It was a first visit to China for many.")
    sentences = [named, after, alone]
    x = candidate_features(q, sentences, [s.present for s in sentences], [0.5] * 3, [1.0] * 3,
                           [0] * 3)  # fmt: skip
    share = 1 / len(q.weights)
    # oregon, senat, presid: said before it, not in it; first, visit, china: its own
    assert list(x[:, FEATURES.index("before")]) == pytest.approx([0.0, 3 * share, 0.0])


def test_structure_features_mark_the_entry_a_question_names():
    q = read_question("What is the default TIMEOUT?", "", idf=lambda t: 1.0)
    first = read_sentence("How long a worker may stay silent.", "TIMEOUT", lead=True)
    default = read_sentence("Default: 30", "TIMEOUT")
    other = read_sentence("Default: 2", "KEEPALIVE", lead=True)
    loose = read_sentence("The timeout default changed in 2.0.")  # under no heading
    sentences = [first, default, other, loose]
    x = candidate_features(q, sentences, [s.present for s in sentences], [0.5] * 4, [1.0] * 4,
                           [0] * 4)  # fmt: skip
    f = {name: list(x[:, i]) for i, name in enumerate(FEATURES)}
    assert f["entry"] == [1.0, 1.0, 0.0, 0.0]  # under the heading the question names
    assert f["definition"] == [0.0] * 4  # a value is asked for, not what TIMEOUT is
    assert f["label"] == [0.0, 1.0, 0.0, 0.0]  # ... and a label the question names
    q = read_question("What does TIMEOUT do?", "", idf=lambda t: 1.0)
    x = candidate_features(q, sentences, [s.present for s in sentences], [0.5] * 4, [1.0] * 4,
                           [0] * 4)  # fmt: skip
    assert list(x[:, FEATURES.index("definition")]) == [1.0, 0.0, 0.0, 0.0]  # its first statement


def test_of_two_named_entries_the_one_naming_more_is_the_entry():
    q = read_question("What does the debug_file setting name?", "", idf=lambda t: 1.0)
    debug = read_sentence("A list of debug options.", "[run] debug", lead=True)
    debug_file = read_sentence("A file to write debug output to.", "[run] debug_file", lead=True)
    sentences = [debug, debug_file]
    x = candidate_features(q, sentences, [s.present for s in sentences], [0.5] * 2, [1.0] * 2,
                           [0] * 2)  # fmt: skip
    assert list(x[:, FEATURES.index("entry")]) == [0.0, 1.0]


@pytest.mark.parametrize(
    ("question", "heading"),
    [
        ("What does the --code option do?", "`-c`, `--code`"),  # a one-letter alias
        ("What does the precision setting do?", "[report] precision"),  # a bracketed qualifier
        ("What does the timeout setting do?", "timeout (seconds)"),
    ],
)
def test_a_heading_is_named_without_its_alias_or_qualifier(question, heading):
    q = read_question(question, "", idf=lambda t: 1.0)
    entry = read_sentence("Sets how it works for this run.", heading, lead=True)
    x = candidate_features(q, [entry], [entry.present], [0.5], [1.0], [0])
    assert x[0, FEATURES.index("definition")] == 1.0


@pytest.mark.parametrize(
    "question", ["Which Python versions does pytest support?", "In what version was it added?"]
)
def test_a_version_question_matches_the_number_not_the_word(question):
    # As "year" in a year question: the answer states the number ("Python 3.10+ or PyPy3").
    q = read_question(question, "", idf=lambda t: 1.0)
    assert q.kind == "number"
    assert "version" not in q.weights


def test_a_stopword_inside_a_name_tells_entries_apart():
    q = read_question("What is the type of installer.no-binary?", "", idf=lambda t: 1.0)
    no = read_sentence("Allows users to disallow wheels.", "installer.no-binary", lead=True)
    only = read_sentence("Allows users to enforce wheels.", "installer.only-binary", lead=True)
    x = candidate_features(q, [no, only], [no.present, only.present], [0.5] * 2, [1.0] * 2,
                           [0] * 2)  # fmt: skip
    f = {name: list(x[:, i]) for i, name in enumerate(FEATURES)}
    assert f["entry"] == [1.0, 0.0]
    assert f["definition"] == [1.0, 0.0]


def test_a_sentence_is_read_as_speaking_of_its_file():
    # "SOCKS Proxy Support" in requests_README.md says Requests supports SOCKS proxies.
    q = read_question("Which proxy does Requests support?", "", idf=lambda t: 1.0)
    own = read_sentence("SOCKS Proxy Support", document=name_terms("docs/requests_README.md"))
    other = read_sentence("SOCKS Proxy Support", document=name_terms("httpx_README.md"))
    x = candidate_features(q, [own, other], [own.present, other.present], [0.5] * 2, [1.0] * 2,
                           [0] * 2)  # fmt: skip
    f = {name: list(x[:, i]) for i, name in enumerate(FEATURES)}
    assert f["lexical"] == pytest.approx([1.0, 2 / 3])
    assert f["novelty"] == pytest.approx([1 / 3, 1 / 3])  # the name adds nothing the sentence says


@pytest.mark.parametrize(
    ("text", "statement", "label"),
    [
        ("Restart workers when code changes.", True, set()),
        ("TESTING\nEnable testing mode.", True, set()),
        ("See https://example.org for more.", True, set()),
        ("Default: 'session'", False, {"default"}),
        ("**Default:** `2048`", False, {"default"}),
        ("**Environment Variable**: `POETRY_CACHE_DIR`", False, {"environ", "variabl"}),
        ("Valid values: a filename", False, {"valid", "valu"}),
        ("The socket to bind", False, set()),  # not ended as a sentence
        # A heading joined to the line below it: the label is that line's.
        ("`installer.no-binary`\n\n**Type**: `string | boolean`", False, {"type"}),
        ("`--check`\n\nDon't write the files back.", True, set()),
    ],
)
def test_statements_and_label_lines(text, statement, label):
    assert is_statement(text) is statement
    assert read_sentence(text).label == label


@pytest.mark.parametrize(
    ("heading", "named"),
    [
        # a signature by its callable, not its category, return type or arguments
        ("Function: void kiln_init (struct kiln_ctx * ctx )", {"kiln", "init"}),
        ("kiln.fire(schedule[, options])", {"kiln", "fire"}),
        # a constant or type by its name, not its category
        ("Constant: KILN_MAX_CELSIUS", {"kiln", "max", "celsius"}),
        ("Data type: struct kiln_ctx", {"kiln", "ctx"}),
        # prose headings keep their words
        ("Installing kiln (recommended)", {"instal", "kiln"}),
        # a release by its number too ("man-db 2.9.3" is not named by "man-db"), but not a
        # section by its own ("3.2 Configuration")
        ("Version: 2.0", {"version", "2", "0"}),
        ("man-db 2.9.3 (22 June 2020)", {"man", "db", "2", "9", "3"}),
        ("3.2 Configuration", {"configur"}),
    ],
)
def test_a_reference_entry_is_named_by_what_it_defines(heading, named):
    assert read_sentence("It is done.", heading=heading).heading == named


@pytest.mark.parametrize(
    ("sentence", "subject"),
    [
        ("**Faiss** is a library for efficient similarity search.", "faiss"),
        ("[Kiln Sync](https://kiln.example/sync) is an add-on service.", "kiln sync"),
        # A plural is defined without an article (Foam's "Wikilinks are internal links ...").
        ("Wikilinks are internal links that connect files.", "wikilinks"),
        ("Backlinks are one of the most powerful features.", "backlinks"),
        # ... but a participle, an adverb or a preposition says something else of them.
        ("Files are stored in the vault.", None),
        ("Backups are not kept after a month.", None),
        ("Notes are in the inbox folder.", None),
    ],
)
def test_the_subject_a_sentence_defines(sentence, subject):
    said = defined_subject(sentence)
    if subject is None:
        assert said == ()
    else:
        assert said[0] == frozenset(terms(subject))


def test_a_named_list_item_is_the_entry_under_any_heading():
    # Logseq's "- ## Usage" over "- Undo: Press ..." items: the question names the item.
    q = read_question("How do I undo a change?", "", idf=lambda t: 1.0)
    undo = read_sentence("Undo: Press `mod` + `z`.", "Usage", item="Undo")
    redo = read_sentence("Redo: Press `mod` + `Shift` + `z`.", "Usage", item="Redo")
    loose = read_sentence("Undo and redo work across pages.", "Usage")
    sentences = [undo, redo, loose]
    x = candidate_features(q, sentences, [s.present for s in sentences], [0.5] * 3, [1.0] * 3,
                           [0] * 3)  # fmt: skip
    assert list(x[:, FEATURES.index("entry")]) == [1.0, 0.0, 0.0]


def test_a_how_to_question_is_answered_by_the_sentence_that_does_that_task():
    q = read_question("How do I create a callout?", "", idf=lambda t: 1.0)
    right = read_sentence("To create a callout, add `[!info]` to the first line of a blockquote.")
    wanted = read_sentence("If you want to create a callout: type `>` and the type.")
    other = read_sentence("To define a custom callout, create the following CSS block:")
    plain = read_sentence("You can omit the body to create title-only callouts:")
    sentences = [right, wanted, other, plain]
    x = candidate_features(q, sentences, [s.present for s in sentences], [0.5] * 4, [1.0] * 4,
                           [0] * 4)  # fmt: skip
    assert list(x[:, FEATURES.index("definition")]) == [1.0, 1.0, 0.0, 0.0]
    # A question of how something happened asks how to do no task.
    story = read_question("How did the Normans conquer England?", "", idf=lambda t: 1.0)
    assert not story.task


@pytest.mark.parametrize(
    ("question", "name"),
    [
        ("What does the name NumPy stand for?", "NumPy"),
        ("What is the AFC short for?", "AFC"),
        ("What did the LMP acronym stand for in the crew?", "LMP"),
        ('What does "LIR" stand for?', "LIR"),
        ("What does the acronym CORS mean?", "CORS"),
        ("Where does he stand for election?", None),
        ("What is NumPy?", None),
    ],
)
def test_the_name_a_question_asks_to_spell_out(question, name):
    assert expansion_asked(question) == name


@pytest.mark.parametrize(
    ("text", "name", "spelled"),
    [
        ("NumPy (short for *Numerical Python*) provides an efficient interface", "NumPy", True),
        ("CORS stands for Cross-Origin Resource Sharing.", "CORS", True),
        ("Cross-Origin Resource Sharing (CORS) is a mechanism", "CORS", True),
        ("renders PDF (Portable Document Format) files", "PDF", True),
        ("the Chinese People's Association for Friendship with Foreign Countries (CPAFFC)", "CPAFFC",
         True),
        ("was the FIS or Front Islamique de Salut in Algeria", "FIS", True),
        ("Use the FIS or the FTP server.", "FIS", False),
        ("NumPy arrays are faster than lists (NumPy).", "NumPy", False),
        ("Save it as a PDF (the default) file.", "PDF", False),
        ("It reads PDF files.", "PDF", False),
    ],
)
def test_a_sentence_spells_a_name_out(text, name, spelled):
    assert expands(text, name) is spelled
