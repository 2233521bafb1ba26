"""Speaking a script: order, the cache, and the workers."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from narrator.cache import ClipCache
from narrator.engines import Engine
from narrator.synthesize import synthesize
from narrator.types import PCM, Chapter, Script, Sentence
from narrator.voices import get_voice


class Recorder(Engine):
    """Says each text as a clip as many samples long as the text has characters, and
    notes what it was asked, in the order asked."""

    name = "recorder"

    def __init__(self) -> None:
        super().__init__(get_voice("joe"), "cpu")
        self.asked: list[str] = []
        self._lock = threading.Lock()

    @property
    def sample_rate(self) -> int:
        return 22050

    def synthesize(self, text: str) -> PCM:
        with self._lock:
            self.asked.append(text)
        return PCM(np.full(len(text), 0.1, dtype=np.float32), 22050)

    def model_digest(self) -> str:
        return "recorder"


def script(texts: list[str]) -> Script:
    sentences = tuple(Sentence(i, t, t, paragraph=i, chapter=0) for i, t in enumerate(texts))
    return Script(title="T", chapters=(Chapter(0, "T", sentences),), articles=())


TEXTS = [
    "Short.",
    "A sentence of middling length.",
    "Tiny.",
    "By far the longest sentence of them all, by a mile.",
]


def test_workers_return_clips_in_script_order() -> None:
    engine = Recorder()
    result = synthesize(script(TEXTS), engine, workers=2)
    assert [len(c.samples) for c in result.clips] == [len(t) for t in TEXTS]
    assert sorted(engine.asked) == sorted(TEXTS)
    assert result.synthesized == 4 and result.cached == 0


def test_one_worker_speaks_in_script_order_and_the_cache_serves_the_rest(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path)
    first = Recorder()
    synthesize(script(TEXTS[:2]), first, cache=cache)
    assert first.asked == TEXTS[:2]
    second = Recorder()
    result = synthesize(script(TEXTS), second, cache=cache)
    assert second.asked == [TEXTS[2], TEXTS[3]]
    assert (result.synthesized, result.cached) == (2, 2)
    assert [len(c.samples) for c in result.clips] == [len(t) for t in TEXTS]
