"""Shared fixtures and independent checks of finished audio files.

The helpers here read MP3s the way a podcast app or a QA engineer would: with ffmpeg's
own EBU R128 meter and decoder and with mutagen, never through narrator's code.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
DATA = Path(__file__).resolve().parent / "data"


def ffmpeg() -> str:
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


@dataclass(frozen=True)
class Measured:
    integrated: float
    true_peak: float


def measure_loudness(path: Path) -> Measured:
    """Integrated loudness and true peak of a file, from ffmpeg's ebur128 filter."""
    proc = subprocess.run(
        [
            ffmpeg(),
            "-hide_banner",
            "-nostats",
            "-i",
            str(path),
            "-af",
            "ebur128=peak=true",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    summary = proc.stderr[proc.stderr.rfind("Summary:") :]
    integrated = re.search(r"I:\s+(-?[\d.]+) LUFS", summary)
    peak = re.search(r"True peak:\s+Peak:\s+(-?[\d.]+) dBFS", summary)
    assert integrated and peak, proc.stderr[-2000:]
    return Measured(float(integrated.group(1)), float(peak.group(1)))


def decode(path: Path, rate: int = 16000) -> np.ndarray:
    """Decode an audio file to mono float32 samples at ``rate``."""
    proc = subprocess.run(
        [ffmpeg(), "-hide_banner", "-i", str(path), "-f", "f32le", "-ac", "1", "-ar", str(rate), "-"],
        capture_output=True,
        check=True,
    )
    return np.frombuffer(proc.stdout, dtype="<f4")


def rms_db(samples: np.ndarray) -> float:
    if len(samples) == 0:
        return -120.0
    return float(20 * np.log10(np.sqrt(np.mean(samples.astype(np.float64) ** 2)) + 1e-12))


def chapters(path: Path) -> tuple[list[dict[str, Any]], Any]:
    """CHAP frames of an MP3 in CTOC order, and the CTOC frame."""
    from mutagen.id3 import ID3

    tag = ID3(str(path))
    tocs = tag.getall("CTOC")
    assert len(tocs) == 1, "exactly one CTOC expected"
    by_id = {c.element_id: c for c in tag.getall("CHAP")}
    ordered = [by_id[i] for i in tocs[0].child_element_ids]
    return [
        {"title": str(c.sub_frames["TIT2"].text[0]), "start": c.start_time, "end": c.end_time}
        for c in ordered
    ], tocs[0]


def expected(name: str) -> dict[str, Any]:
    return json.loads((DATA / "expected" / f"{name}.json").read_text("utf-8"))


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep user folders (voices, cache) of the machine out of the tests."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("NARRATOR_VOICES", str(home / "voices"))
    monkeypatch.setenv("NARRATOR_CACHE", str(home / "cache"))
