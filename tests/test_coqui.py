"""Coqui TTS through a tiny VITS model built at test time and loaded as users load theirs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from mutagen.mp3 import MP3

from narrator._exceptions import EngineError
from narrator.cli import main
from narrator.engines import create_engine
from narrator.voices import get_voice

from .conftest import chapters, measure_loudness

if os.environ.get("NARRATOR_TEST_REQUIRE_COQUI") != "1":
    pytest.importorskip("TTS", reason="the coqui extra is not installed")

from .coqui_model import build_tiny_vits

ARTICLE = """# Harbour council backs new ferries

*By Test Writer — 3 March 2026*

The council voted on Tuesday to buy four electric ferries. The first will sail next spring.

## What changes for riders

Fares rise by a small amount. Timetables stay the same until the new boats arrive.
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return build_tiny_vits(tmp_path_factory.mktemp("tiny-vits"))


def preset(folder: Path, model: tuple[Path, Path], **options: str) -> Path:
    lines = ['engine = "coqui"', 'language = "en"', "[model]"]
    lines += [f'model_path = "{model[0]}"', f'config_path = "{model[1]}"']
    if options:
        lines.append("[options]")
        lines += [f'{k} = "{v}"' for k, v in options.items()]
    path = folder / "tiny.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_narrate_through_a_coqui_voice_preset(tmp_path: Path, tiny: tuple[Path, Path]) -> None:
    source = tmp_path / "story.md"
    source.write_text(ARTICLE)
    out = tmp_path / "coqui.mp3"
    voice = str(preset(tmp_path, tiny))
    result = CliRunner().invoke(
        main, [str(source), "-o", str(out), "--voice", voice, "--device", "cpu", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["engine"].startswith("coqui voice tiny on cpu")
    assert MP3(str(out)).info.sample_rate == 44100
    titles = [c["title"] for c in chapters(out)[0]]
    assert titles == ["Harbour council backs new ferries", "What changes for riders"]
    measured = measure_loudness(out)
    assert abs(measured.integrated + 16) <= 1 and measured.true_peak <= -1.0


def test_coqui_is_deterministic_per_sentence(tmp_path: Path, tiny: tuple[Path, Path]) -> None:
    voice = get_voice(str(preset(tmp_path, tiny)))
    a = create_engine(voice, "cpu")
    b = create_engine(voice, "cpu")
    first = a.synthesize("The ferry leaves at noon.")
    a.synthesize("Something else in between.")
    assert np.array_equal(first.samples, b.synthesize("The ferry leaves at noon.").samples)
    assert first.sample_rate == 22050 and first.duration > 0.1


def test_multi_speaker_model_needs_and_uses_a_speaker(tmp_path: Path) -> None:
    model = build_tiny_vits(tmp_path / "multi", speakers=["alice", "bob"])
    with pytest.raises(EngineError, match="several speakers.*alice"):
        create_engine(get_voice(str(preset(tmp_path, model))), "cpu").synthesize("Hello there.")
    alice = create_engine(get_voice(str(preset(tmp_path, model, speaker="alice"))), "cpu")
    bob = create_engine(get_voice(str(preset(tmp_path, model, speaker="bob"))), "cpu")
    text = "Hello there, listeners."
    assert not np.array_equal(alice.synthesize(text).samples, bob.synthesize(text).samples)
    with pytest.raises(EngineError, match="no speaker 'carol'"):
        create_engine(get_voice(str(preset(tmp_path, model, speaker="carol"))), "cpu").synthesize("Hi.")


def test_missing_model_files_are_named(tmp_path: Path) -> None:
    path = tmp_path / "gone.toml"
    path.write_text('engine = "coqui"\n[model]\nmodel_path = "nowhere/model.pth"\n')
    with pytest.raises(EngineError, match="model file .*nowhere/model.pth.* is missing"):
        create_engine(get_voice(str(path)), "cpu")


def test_cuda_without_gpu_is_refused(tmp_path: Path, tiny: tuple[Path, Path]) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    with pytest.raises(EngineError, match="--device cuda.*no usable GPU"):
        create_engine(get_voice(str(preset(tmp_path, tiny))), "cuda")
