"""Offline speech recognition for checking narrations by ear: pocketsphinx's English model.

``python -m tests.asr`` narrates the two news samples with and without spoken-form
normalisation and prints the word error rate of each against what the script says.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np

RATE = 16000


def pcm16(path: Path) -> np.ndarray:
    """An audio file as 16 kHz mono 16-bit samples."""
    import imageio_ffmpeg

    proc = subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-v",
            "error",
            "-i",
            str(path),
            "-f",
            "s16le",
            "-ac",
            "1",
            "-ar",
            str(RATE),
            "-",
        ],
        capture_output=True,
        check=True,
    )
    return np.frombuffer(proc.stdout, dtype="<i2")


def transcribe(samples: np.ndarray) -> str:
    """What pocketsphinx hears in 16 kHz mono samples."""
    from pocketsphinx import Decoder

    decoder = Decoder(samprate=RATE, loglevel="FATAL")
    decoder.start_utt()
    decoder.process_raw(samples.astype("<i2").tobytes(), full_utt=True)
    decoder.end_utt()
    hyp = decoder.hyp()
    return hyp.hypstr if hyp is not None else ""


def words(text: str) -> list[str]:
    """Lower-case words, hyphenated words split, punctuation dropped."""
    return re.findall(r"[a-z0-9']+", text.lower().replace("-", " "))


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate: word-level edit distance over the reference's length."""
    ref, hyp = words(reference), words(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        current = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h))
        previous = current
    return previous[-1] / len(ref)


def main() -> None:
    import tempfile
    from dataclasses import replace

    from narrator import Settings, narrate
    from narrator import script as script_module

    root = Path(__file__).resolve().parent.parent / "samples"
    samples = [root / "harbour-ferry-fares.html", root / "heat-pumps-explained.html"]
    with tempfile.TemporaryDirectory() as tmp:
        for normalised in (False, True):
            original = script_module.spoken
            if not normalised:  # hand the engine the text exactly as written
                script_module.spoken = lambda text, *args, **kwargs: text  # type: ignore[assignment]
            try:
                for sample in samples:
                    out = Path(tmp) / f"{sample.stem}-{normalised}.mp3"
                    episode = narrate([sample], out, Settings(cache=False))
                    reference = " ".join(s.spoken for s in episode.script.sentences)
                    if not normalised:
                        normal = narrate([sample], Path(tmp) / "ref.mp3", replace(Settings(), cache=False))
                        reference = " ".join(s.spoken for s in normal.script.sentences)
                    rate = wer(reference, transcribe(pcm16(out)))
                    label = "normalised" if normalised else "as written"
                    print(f"{sample.stem:<24} {label:<11} WER {rate:.3f}")
            finally:
                script_module.spoken = original
    sys.stdout.flush()


if __name__ == "__main__":
    main()
