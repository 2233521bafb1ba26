"""Joining clips: trimmed edges, growing pauses, and a timeline that matches the samples."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from narrator.assemble import Pauses, assemble
from narrator.script import build_script
from narrator.types import PCM, Article, Block

RATE = 22050


def tone(seconds: float, lead: float = 0.15, tail: float = 0.25, freq: float = 220.0) -> PCM:
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    body = 0.5 * np.sin(2 * np.pi * freq * t)
    samples = np.concatenate([np.zeros(int(lead * RATE)), body, np.zeros(int(tail * RATE))])
    return PCM(samples.astype(np.float32), RATE)


@pytest.fixture
def script():  # type: ignore[no-untyped-def]
    a = Article(
        title="Headline",
        blocks=(
            Block("paragraph", "One. Two."),
            Block("paragraph", "Three."),
            Block("heading", "Part", level=2),
            Block("paragraph", "Four."),
        ),
    )
    return build_script([a])


def test_timeline_positions_are_sample_exact(script) -> None:  # type: ignore[no-untyped-def]
    lengths = [0.4, 0.5, 0.6, 0.7, 0.3, 0.8]
    clips = [tone(s) for s in lengths]
    assert len(clips) == len(script.sentences)
    audio, timeline = assemble(script, clips, Pauses(margin=0.0))
    samples = np.frombuffer(audio.raw_data, dtype="<i2")
    assert timeline.length == len(samples)
    for span, seconds in zip(timeline.sentences, lengths, strict=True):
        # Trimmed to the tone itself (within a 5 ms detection step).
        assert abs((span.end - span.start) / RATE - seconds) < 0.011
        assert np.all(samples[span.start - 50 : span.start - 10] == 0)
        assert np.abs(samples[span.start + 10 : span.start + 60]).max() > 1000


def test_pauses_grow_sentence_paragraph_chapter(script) -> None:  # type: ignore[no-untyped-def]
    clips = [tone(0.3) for _ in script.sentences]
    pauses = Pauses(sentence=0.2, paragraph=0.5, chapter=1.2, margin=0.0)
    _, timeline = assemble(script, clips, pauses)
    spans = timeline.sentences
    gaps = [(b.start - a.end) / RATE for a, b in pairwise(spans)]
    # sentences: headline | One. Two. | Three. || Part. | Four.
    kinds = ["paragraph", "paragraph", "sentence", "paragraph", "chapter", "paragraph"]
    expected = {"sentence": 0.2, "paragraph": 0.5, "chapter": 1.2}
    for gap, kind in zip(gaps, kinds[1:], strict=True):
        assert gap == pytest.approx(expected[kind], abs=1 / RATE)


def test_chapters_cover_everything_and_start_in_the_pause(script) -> None:  # type: ignore[no-untyped-def]
    clips = [tone(0.3) for _ in script.sentences]
    pauses = Pauses(chapter=1.0, chapter_lead=0.3)
    _, timeline = assemble(script, clips, pauses)
    first, second = timeline.chapters
    assert first.start == 0 and first.end == second.start and second.end == timeline.length
    heading = timeline.sentences[script.chapters[1].sentences[0].index]
    assert heading.start - second.start == round(0.3 * RATE)


def test_silent_or_empty_clip_does_not_break_timeline(script) -> None:  # type: ignore[no-untyped-def]
    clips = [tone(0.3) for _ in script.sentences]
    clips[2] = PCM(np.zeros(1000, dtype=np.float32), RATE)
    _, timeline = assemble(script, clips)
    span = timeline.sentences[2]
    assert span.end == span.start
