"""The pipeline around the stages: preparing a new voice while the article is read."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

import narrator.pipeline as pipeline
from narrator.engines.piper import PiperEngine
from narrator.pipeline import Settings, narrate

from .conftest import SAMPLES


def test_a_new_voice_is_prepared_while_the_article_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no prepared model in the cache, loading starts before the article is read, in a
    thread of its own; with the model kept, a new article loads it when it is needed."""
    events: list[tuple[str, str, float]] = []
    load, articles = PiperEngine.load, pipeline._articles

    def recorded_load(self: PiperEngine) -> None:
        events.append(("load", threading.current_thread().name, time.perf_counter()))
        load(self)

    def recorded_articles(*args: object) -> object:
        found = articles(*args)  # type: ignore[arg-type]
        events.append(("read", threading.current_thread().name, time.perf_counter()))
        return found

    monkeypatch.setattr(PiperEngine, "load", recorded_load)
    monkeypatch.setattr(pipeline, "_articles", recorded_articles)
    monkeypatch.setattr(pipeline, "_ENGINES", {})
    settings = Settings(cache_dir=tmp_path / "cache")
    narrate([SAMPLES / "harbour-ferry-fares.html"], tmp_path / "a.mp3", settings)
    first_load = next(e for e in events if e[0] == "load")
    read = next(e for e in events if e[0] == "read")
    assert first_load[1] == "narrator-prepare" and first_load[2] < read[2]
    assert len(list((tmp_path / "cache" / "models").glob("*.onnx"))) == 1
    assert (tmp_path / "a.mp3").stat().st_size > 100_000

    # A fresh process (no engines kept), the prepared model in the cache: nothing to start early.
    events.clear()
    monkeypatch.setattr(pipeline, "_ENGINES", {})
    episode = narrate([SAMPLES / "community-garden.md"], tmp_path / "b.mp3", settings)
    assert episode.synthesized > 0
    assert next(e[1] for e in events if e[0] == "load") != "narrator-prepare"
