"""Questions about the seeds shared by several test modules (not a test module itself)."""

ANSWERABLE = [
    "Where was the seventh China-U.S. Sister Cities Conference held?",
    "When did Hebei Province and Iowa become sister provinces and states?",
    "Who is the mayor of Tacoma?",
    "Which were the first Chinese and American sister cities?",
    "What was the theme of the video dialogue between China-U.S. sister cities?",
    "How long did Robert Wagner's delegation travel in China?",
]
UNANSWERABLE = [
    "Who won the 2022 FIFA World Cup?",
    "What is the population of Suzhou?",
    "What is the boiling point of mercury?",
]
