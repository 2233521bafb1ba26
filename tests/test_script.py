"""From articles to a script: intro, chapters, sentence units, long-sentence splits."""

from __future__ import annotations

import pytest

from narrator.script import ScriptOptions, build_script, split_long
from narrator.types import Article, Block


def article(*blocks: Block, **meta: object) -> Article:
    return Article(title=str(meta.pop("title", "A headline")), blocks=blocks, **meta)  # type: ignore[arg-type]


def test_intro_then_a_chapter_per_heading() -> None:
    script = build_script(
        [
            article(
                Block("paragraph", "Lead paragraph. It has two sentences."),
                Block("heading", "Section one", level=2),
                Block("paragraph", "Body of section one."),
                Block("heading", "A detail", level=4),
                Block("paragraph", "Still section one."),
                Block("heading", "Section two", level=3),
                Block("list_item", "An item of the story."),
                authors=("Ada Lovelace", "Charles Babbage"),
                published="2026-10-28T07:45:00-04:00",
                language="en-US",
                standfirst="A short summary.",
            )
        ]
    )
    assert [c.title for c in script.chapters] == ["A headline", "Section one", "Section two"]
    intro = [s.text for s in script.chapters[0].sentences]
    assert intro == [
        "A headline.",
        "By Ada Lovelace and Charles Babbage, October 28, 2026.",
        "A short summary.",
        "Lead paragraph.",
        "It has two sentences.",
    ]
    assert [s.text for s in script.chapters[1].sentences] == [
        "Section one.",
        "Body of section one.",
        "A detail.",
        "Still section one.",
    ]
    assert [s.index for s in script.sentences] == list(range(len(script.sentences)))
    # sentences of one paragraph share its index; each paragraph gets a new one
    lead = script.chapters[0].sentences[3:5]
    assert lead[0].paragraph == lead[1].paragraph


def test_british_date_and_no_byline_option() -> None:
    a = article(Block("paragraph", "Text."), authors=("Sam",), published="2026-10-04", language="en-GB")
    assert build_script([a]).sentences[1].text == "By Sam, 4 October 2026."
    assert [s.text for s in build_script([a], ScriptOptions(byline=False)).sentences] == [
        "A headline.",
        "Text.",
    ]


def test_multi_article_episode_has_a_chapter_per_article_with_transition() -> None:
    one = article(Block("paragraph", "First story."), title="One")
    two = article(
        Block("paragraph", "Second story."),
        Block("heading", "Part", level=2),
        Block("paragraph", "More."),
        title="Two",
    )
    script = build_script([one, two])
    assert [c.title for c in script.chapters] == ["One", "Two", "Part"]
    assert [s.text for s in script.chapters[1].sentences] == ["Next story.", "Two.", "Second story."]


def test_disclosure_is_read_once_after_the_first_intro() -> None:
    script = build_script([article(Block("paragraph", "Story."))], ScriptOptions(disclosure="Made with AI."))
    assert [s.text for s in script.sentences] == ["A headline.", "Made with AI.", "Story."]


def test_disclosure_can_close_the_episode() -> None:
    one = article(Block("paragraph", "Story one."), title="One")
    two = article(Block("heading", "Part", level=2), Block("paragraph", "Story two."), title="Two")
    script = build_script([one, two], ScriptOptions(disclosure="Made with AI.", disclosure_at="end"))
    assert [s.text for s in script.sentences][-2:] == ["Story two.", "Made with AI."]
    assert script.sentences[-1].chapter == len(script.chapters) - 1
    assert sum(s.text == "Made with AI." for s in script.sentences) == 1


def test_article_without_title_is_named_by_its_opening_words() -> None:
    text = "An article that has no headline at all but a long opening sentence that goes on and on."
    script = build_script([Article(title="", blocks=(Block("paragraph", text),))])
    assert script.chapters[0].title == "An article that has no headline at all but a long opening…"
    assert script.sentences[0].text == text


LONG = (
    "The council, which met for six hours on Tuesday evening in the old town hall, voted to raise fares; "
    "opponents, including two former mayors and the chamber of commerce, said the rise would hurt commuters "
    "who have no other way to cross the harbour — and that the new boats were not needed at all."
)


@pytest.mark.parametrize("limit", [40, 80, 120, 200])
def test_split_long_keeps_words_whole_and_under_limit(limit: int) -> None:
    pieces = split_long(LONG, limit)
    assert all(len(p) <= limit for p in pieces)
    assert " ".join(pieces).split() == LONG.split()
    assert len(pieces) > 1


def test_split_long_prefers_clause_boundaries() -> None:
    pieces = split_long(LONG, 120)
    assert pieces[0].endswith(";")


def test_short_sentences_are_left_alone() -> None:
    assert split_long("Short.", 10) == ["Short."]
    assert split_long(LONG, None) == [LONG]


def test_script_uses_engine_limit() -> None:
    script = build_script([article(Block("paragraph", LONG))], ScriptOptions(max_chars=100))
    assert all(len(s.text) <= 100 for s in script.sentences)
