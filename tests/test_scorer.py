"""The answer scorer's weights as data, and the question read once into a Query."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from askseeds.answer.features import FEATURES
from askseeds.answer.query import read_query
from askseeds.answer.scorer import (
    ANSWERABLE_INPUTS,
    READER_ANSWERABLE_INPUTS,
    WEIGHTS_FILE,
    Scorer,
    default_scorer,
)
from askseeds.config import Settings
from askseeds.errors import ConfigError, EmptyQueryError


def test_the_shipped_weights_are_a_complete_json_file():
    doc = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    assert set(doc["rank"]) == set(FEATURES)
    assert set(doc["answerable"]) - {"bias"} == set(ANSWERABLE_INPUTS)
    assert 0 < doc["min_confidence"] < 1
    assert {"model", "chunk_tokens", "chunk_overlap_tokens", "reader"} <= set(doc["fitted_with"])
    if doc["reader"]:
        assert set(doc["reader"]["answerable"]) - {"bias"} == set(READER_ANSWERABLE_INPUTS)
        assert 0 < doc["reader"]["min_confidence"] < 1


def test_weights_survive_a_round_trip(tmp_path):
    scorer = default_scorer()
    scorer.save(tmp_path / "w.json")
    again = Scorer.load(tmp_path / "w.json")
    x = np.linspace(0, 1, len(FEATURES), dtype=np.float32)
    assert again.rank(x) == pytest.approx(scorer.rank(x), abs=1e-3)
    assert again.min_confidence == pytest.approx(scorer.min_confidence)
    assert again.fitted_with == scorer.fitted_with
    assert (again.reader is None) == (scorer.reader is None)


def test_a_missing_input_weighs_nothing():
    doc = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    doc["rank"].pop("dense")
    scorer = Scorer.from_dict(doc)
    assert scorer.rank_model.weights[FEATURES.index("dense")] == 0.0


def test_mismatches_name_what_differs_from_the_fit():
    scorer = default_scorer()
    running = dict(scorer.fitted_with)
    assert scorer.mismatches(running) == []
    running["chunk_tokens"] = 128
    (only,) = scorer.mismatches(running)
    assert "chunk_tokens" in only and "128" in only


def test_settings_take_the_scorers_threshold_unless_set():
    assert Settings().min_confidence is None
    assert Settings(min_confidence=0.5).min_confidence == 0.5
    with pytest.raises(ConfigError):
        Settings(min_confidence=1.5)
    with pytest.raises(ConfigError):
        Settings(reader="")


def test_settings_read_the_threshold_and_reader_from_the_environment(monkeypatch):
    monkeypatch.setenv("ASKSEEDS_MIN_CONFIDENCE", "0.3")
    monkeypatch.setenv("ASKSEEDS_READER", "none")
    s = Settings.from_env()
    assert math.isclose(s.min_confidence, 0.3) and s.reader == "none"


def test_a_query_is_read_once_with_its_context():
    history = [
        {"role": "user", "content": "Tell me about Tacoma"},
        {"role": "assistant", "content": "Tacoma is a city. [1]"},
    ]
    q = read_query("  Who is its\x07 mayor? ", history)
    assert q.text == "Who is its mayor?"
    assert q.asked == "Who is its mayor?"
    assert q.context == ("Tacoma",)
    assert q.search == "Tacoma Who is its mayor?"
    assert q.points_back
    assert q.alone().search == "Who is its mayor?"
    alone = read_query("Which orchestra performed at the seventh conference?", history)
    assert alone.context == () and not alone.points_back
    assert read_query("Tell me about Tacoma").asked == "Tacoma"
    with pytest.raises(EmptyQueryError):
        read_query("?!")
