"""The tutor's ranking helpers: sentence spans, sentence windows, best spans, names and tiers."""

from __future__ import annotations

import numpy as np

from learning_app.services.material.chunking import sentence_spans, split_sentences
from learning_app.services.tutor.ranking import (
    RankedPassage,
    Tier,
    best_spans,
    decide_tier,
    names_in,
    unmentioned_names,
    window_cosine,
)
from learning_app.services.tutor.retrieval import Passage


def _passage(text: str) -> Passage:
    return Passage("c", text, "Lesson", "", 0, "l", "", 0.5)


def test_sentence_spans_cut_as_split_sentences_does() -> None:
    text = "  Cells divide. The nucleus (with DNA) splits first!  Then? 3 cells remain.  "
    assert [text[a:b] for a, b in sentence_spans(text)] == split_sentences(text)


def test_a_window_cosine_from_inner_products_equals_the_normalised_sum() -> None:
    rng = np.random.default_rng(3)
    a, b, q = (v / np.linalg.norm(v) for v in rng.normal(size=(3, 16)))
    summed = (a + b) / np.linalg.norm(a + b)
    assert abs(window_cosine(q @ a, q @ b, a @ b) - float(summed @ q)) < 1e-6


def test_names_are_capitalised_words_past_a_sentence_start_and_numbers() -> None:
    assert names_in("What did the Bolsheviks do in 1917? Who led them") == ["Bolsheviks", "1917"]
    assert names_in("Why is the sky blue?") == []


def test_a_name_counts_as_mentioned_with_plural_or_possessive_endings() -> None:
    passages = ["The Jacobin club met in Paris; Robespierre led it in 1793."]
    assert unmentioned_names("What did the Jacobins want in Paris in 1793?", passages) == []
    assert unmentioned_names("What did Lenin's party want?", passages) == ["Lenin"]


def _ranked(evidence: float) -> RankedPassage:
    return RankedPassage(_passage("x"), evidence, evidence, (0, 1))


def test_tiers_follow_the_evidence_and_the_names() -> None:
    limits = {"min_similarity": 0.3, "answer_similarity": 0.5}
    assert decide_tier(None, [], **limits) == Tier.NOT_FOUND
    assert decide_tier(_ranked(0.2), [], **limits) == Tier.NOT_FOUND
    assert decide_tier(_ranked(0.4), [], **limits) == Tier.RELATED
    assert decide_tier(_ranked(0.7), [], **limits) == Tier.ANSWERED
    assert decide_tier(_ranked(0.7), ["Lenin"], **limits) == Tier.RELATED


def test_a_chunks_best_span_is_a_sentence_alone_or_with_the_next() -> None:
    rows = [
        # chunk a: the middle sentence says it all; its neighbours would dilute it
        ("a", 0, 10, 0.2, 0.8, 20, 0.1),
        ("a", 11, 20, 0.8, 0.1, 30, 0.0),
        ("a", 21, 30, 0.1, None, None, None),
        # chunk b: two sentences that say it together beat either alone
        ("b", 0, 10, 0.5, 0.5, 20, 0.0),
        ("b", 11, 20, 0.5, None, None, None),
        # chunk c: one sentence only
        ("c", 0, 40, 0.3, None, None, None),
    ]
    spans = best_spans(rows)
    assert spans["a"] == (0.8, (11, 20))
    assert spans["b"][1] == (0, 20) and abs(spans["b"][0] - 1 / np.sqrt(2)) < 1e-9
    assert spans["c"] == (0.3, (0, 40))
