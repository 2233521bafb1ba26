"""The pipeline around the stages: preparing a new voice while the article is read."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from narrator.engines.piper import PiperEngine
from narrator.pipeline import Settings, narrate

from .conftest import SAMPLES


def test_a_new_voice_is_prepared_while_the_article_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no prepared model in the cache, loading starts beside extraction, in a thread of
    its own; once the model is kept (and the render too), a narration loads nothing."""
    loads: list[str] = []
    load = PiperEngine.load

    def recorded(self: PiperEngine) -> None:
        loads.append(threading.current_thread().name)
        load(self)

    monkeypatch.setattr(PiperEngine, "load", recorded)
    settings = Settings(cache_dir=tmp_path / "cache")
    narrate([SAMPLES / "harbour-ferry-fares.html"], tmp_path / "a.mp3", settings)
    assert loads[0] == "narrator-prepare"
    assert len(list((tmp_path / "cache" / "models").glob("*.onnx"))) == 1
    assert (tmp_path / "a.mp3").stat().st_size > 100_000

    loads.clear()
    episode = narrate([SAMPLES / "harbour-ferry-fares.html"], tmp_path / "b.mp3", settings)
    assert loads == [] and episode.synthesized == 0
    assert (tmp_path / "b.mp3").read_bytes() == (tmp_path / "a.mp3").read_bytes()
