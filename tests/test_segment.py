"""Sentence segmentation: the Golden Rules phenomena and news prose, exactly.

Cases live in tests/data/segment/*.toml; each is one test whose id names the file, the
case number and the phenomenon.
"""

from __future__ import annotations

import random
import re
import time
import tomllib
from pathlib import Path
from typing import Any

import pytest

from narrator.segment import split_sentences

DATA = Path(__file__).resolve().parent / "data" / "segment"

# The 48 English "Golden Rules" of the pragmatic segmenter, the set pySBD benchmarks on.
GOLDEN_RULES = (
    "Simple period to end sentence",
    "Question mark to end sentence",
    "Exclamation point to end sentence",
    "One letter upper case abbreviations",
    "One letter lower case abbreviations",
    "Two letter lower case abbreviations in the middle of a sentence",
    "Two letter upper case abbreviations in the middle of a sentence",
    "Two letter lower case abbreviations at the end of a sentence",
    "Two letter upper case abbreviations at the end of a sentence",
    "Two letter (prepositive) abbreviations in a sentence",
    "Two letter (prepositive & postpositive) abbreviations in a sentence",
    "Possesive two letter abbreviations in a sentence",
    "Multi-period abbreviations in the middle of a sentence",
    "Multi-period abbreviations at the end of a sentence",
    "U.S. as sentence boundary",
    "U.S. as non sentence boundary with next word capitalized",
    "U.S. as non sentence boundary",
    "A.M. / P.M. as non sentence boundary and sentence boundary",
    "Number as non sentence boundary",
    "Number as sentence boundary",
    "Parenthetical inside sentence",
    "Email addresses",
    "Web addresses",
    "Single quotations inside sentence",
    "Double quotations inside sentence",
    "Double quotations at the end of a sentence",
    "Double punctuation (exclamation point)",
    "Double punctuation (question mark)",
    "Double punctuation (exclamation point / question mark)",
    "Double punctuation (question mark / exclamation point)",
    "List (period followed by parens and no period to end item)",
    "List (period followed by parens and period to end item)",
    "List (parens and no period to end item)",
    "List (parens and period to end item)",
    "List (period to mark list and no period to end item)",
    "List (period to mark list and period to end item)",
    "List with bullet",
    "List with hypthen",
    "Alphabetical list",
    "Geo Coordinates",
    "Named entities with an exclamation point",
    "I as a sentence boundary and I as an abbreviation",
    "Ellipsis at end of quotation",
    "Ellipsis with square brackets",
    "Ellipsis as sentence boundary (standard ellipsis rules)",
    "Ellipsis as sentence boundary (non-standard ellipsis rules)",
    "Ellipsis as non sentence boundary",
    "4-dot ellipsis",
)
MIN_CASES = 100
MIN_NEWS_CASES = 50


def _cases(name: str) -> list[dict[str, Any]]:
    with (DATA / f"{name}.toml").open("rb") as fh:
        cases: list[dict[str, Any]] = tomllib.load(fh)["case"]
    return cases


GOLDEN = _cases("golden_rules")
NEWS = _cases("news")
CASES = [("golden", i, c) for i, c in enumerate(GOLDEN, 1)] + [("news", i, c) for i, c in enumerate(NEWS, 1)]


def _id(source: str, number: int, case: dict[str, Any]) -> str:
    return f"{source}:{number}:{re.sub(r'[^A-Za-z0-9.]+', '-', case['rule']).strip('-')}"


@pytest.mark.parametrize(("source", "number", "case"), CASES, ids=[_id(*c) for c in CASES])
def test_segmentation(source: str, number: int, case: dict[str, Any]) -> None:
    assert split_sentences(case["text"]) == case["sentences"]


def test_case_counts_and_golden_rule_coverage() -> None:
    assert len(CASES) >= MIN_CASES
    assert len(NEWS) >= MIN_NEWS_CASES
    assert len(GOLDEN_RULES) == 48
    covered = {case["rule"] for case in GOLDEN}
    assert covered == set(GOLDEN_RULES), set(GOLDEN_RULES) ^ covered


@pytest.mark.parametrize(("source", "number", "case"), CASES, ids=[_id(*c) for c in CASES])
def test_expected_sentences_cover_the_text(source: str, number: int, case: dict[str, Any]) -> None:
    """The data itself: the expected sentences are the text, in order, minus whitespace."""
    assert "".join(case["sentences"]).replace(" ", "") == re.sub(r"\s", "", case["text"])


@pytest.mark.parametrize("text", ["", " ", "\n\t "])
def test_blank_text_has_no_sentences(text: str) -> None:
    assert split_sentences(text) == []


def test_other_languages_use_pysbd_rules() -> None:
    assert split_sentences("Das ist gut. Wir gehen jetzt.", "de") == ["Das ist gut.", "Wir gehen jetzt."]


def test_fuzz_never_raises_and_loses_nothing() -> None:
    rng = random.Random(7)
    alphabet = "abc XYZ. .!?\"'()[]…—-,;:0123456789 U.S. Mr. p.m. D-Ore. \n é中🙂"
    for _ in range(500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120)))
        sentences = split_sentences(text)
        assert all(s and s == s.strip() for s in sentences)
        assert re.sub(r"\s", "", "".join(sentences)) == re.sub(r"\s", "", text)


def test_a_long_article_is_fast() -> None:
    paragraph = " ".join(case["text"] for case in NEWS)
    start = time.perf_counter()
    for _ in range(5):
        split_sentences(paragraph)
    assert time.perf_counter() - start < 2.0
