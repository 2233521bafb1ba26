"""Join sentence clips into one waveform and record where every sentence and chapter lies.

Each clip's leading and trailing silence is trimmed to a short margin, then pauses are
inserted that grow with the break: between sentences < between paragraphs < between
chapters. The :class:`~narrator.types.Timeline` holds sample-exact positions.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ._exceptions import AudioError
from .types import PCM, ChapterTime, Script, SentenceTime, Timeline

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # pydub warns about ffmpeg and audioop on import
    from pydub import AudioSegment
    from pydub.silence import detect_leading_silence

__all__ = ["Pauses", "assemble"]


@dataclass(frozen=True)
class Pauses:
    """Silences, in seconds, inserted between units of speech."""

    sentence: float = 0.30
    """Between two sentences of a paragraph."""
    paragraph: float = 0.65
    """Between paragraphs."""
    chapter: float = 1.40
    """Before a new chapter."""
    head: float = 0.25
    """Before the first word."""
    tail: float = 1.0
    """After the last word."""
    chapter_lead: float = 0.30
    """How long before its first word a chapter marker is placed (within the pause)."""
    margin: float = 0.02
    """Silence kept at each edge of a trimmed clip."""


def _segment(clip: PCM) -> AudioSegment:
    pcm16 = np.clip(clip.samples * 32767.0, -32768, 32767).astype("<i2")
    return AudioSegment(data=pcm16.tobytes(), sample_width=2, frame_rate=clip.sample_rate, channels=1)


def _trim(seg: AudioSegment, margin_ms: int) -> AudioSegment:
    """Cut leading and trailing silence down to ``margin_ms``."""
    if len(seg) == 0 or seg.max_dBFS == float("-inf"):
        return seg[:0]
    threshold = max(seg.max_dBFS - 40.0, -70.0)
    start = detect_leading_silence(seg, silence_threshold=threshold, chunk_size=5)
    end = len(seg) - detect_leading_silence(seg.reverse(), silence_threshold=threshold, chunk_size=5)
    return seg[max(start - margin_ms, 0) : min(end + margin_ms, len(seg))]


def assemble(
    script: Script, clips: Sequence[PCM], pauses: Pauses | None = None
) -> tuple[AudioSegment, Timeline]:
    """Join ``clips`` (one per sentence of ``script``) into one waveform and its timeline."""
    pauses = pauses or Pauses()
    sentences = script.sentences
    if len(clips) != len(sentences):
        raise AudioError(f"got {len(clips)} clips for {len(sentences)} sentences")
    if not clips:
        raise AudioError("nothing to assemble: the script has no sentences")
    rate = clips[0].sample_rate

    def silence(seconds: float) -> AudioSegment:
        return AudioSegment(data=b"\0\0" * round(seconds * rate), sample_width=2, frame_rate=rate, channels=1)

    parts: list[AudioSegment] = [silence(pauses.head)]
    position = len(parts[0].raw_data) // 2
    times: list[SentenceTime] = []
    chapter_starts: dict[int, int] = {0: 0}
    margin_ms = round(pauses.margin * 1000)
    for i, (sentence, clip) in enumerate(zip(sentences, clips, strict=True)):
        if i:
            previous = sentences[i - 1]
            if sentence.chapter != previous.chapter:
                gap = pauses.chapter
            elif sentence.paragraph != previous.paragraph:
                gap = pauses.paragraph
            else:
                gap = pauses.sentence
            pause = silence(gap)
            parts.append(pause)
            position += len(pause.raw_data) // 2
            if sentence.chapter != previous.chapter:
                lead = min(round(pauses.chapter_lead * rate), len(pause.raw_data) // 2)
                chapter_starts[sentence.chapter] = position - lead
        seg = _segment(clip)
        if seg.frame_rate != rate:
            seg = seg.set_frame_rate(rate)
        seg = _trim(seg, margin_ms)
        parts.append(seg)
        length = len(seg.raw_data) // 2
        times.append(SentenceTime(sentence.index, position, position + length))
        position += length
    parts.append(silence(pauses.tail))
    position += len(parts[-1].raw_data) // 2

    audio = AudioSegment(
        data=b"".join(p.raw_data for p in parts), sample_width=2, frame_rate=rate, channels=1
    )
    starts = [chapter_starts[c.index] for c in script.chapters]
    chapters = tuple(
        ChapterTime(c.index, c.title, start, starts[n + 1] if n + 1 < len(starts) else position)
        for n, (c, start) in enumerate(zip(script.chapters, starts, strict=True))
    )
    return audio, Timeline(sample_rate=rate, length=position, sentences=tuple(times), chapters=chapters)
