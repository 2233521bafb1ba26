"""One short check of the GPU path, for a machine with an NVIDIA GPU.

``python -m tests.gpu_check`` narrates a sample with ``--device cuda`` through each engine
(Piper through onnxruntime's CUDA provider — the ``gpu`` extra — and Coqui through CUDA
torch, with a tiny VITS model built on the spot) and prints the real-time factor of each,
beside the same narration on the CPU. It exits non-zero if an engine falls back to the CPU.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from narrator import Settings, narrate

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "heat-pumps-explained.html"


def run(label: str, settings: Settings, out: Path) -> bool:
    started = time.perf_counter()
    episode = narrate([SAMPLE], out, settings)
    wall = time.perf_counter() - started
    rtf = wall / episode.duration
    print(f"{label:<18} {episode.device:<5} {episode.duration:7.1f} s audio, {wall:6.1f} s, RTF {rtf:.3f}")
    return episode.device == settings.device or settings.device == "cpu"


def main() -> None:
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for device in ("cpu", "cuda"):
            ok &= run(f"piper/{device}", Settings(device=device, cache=False), work / f"piper-{device}.mp3")  # type: ignore[arg-type]
        try:
            from .coqui_model import build_tiny_vits
        except ImportError:
            print("coqui extra not installed: skipped")
        else:
            model, config = build_tiny_vits(work / "tiny")
            preset = work / "tiny.toml"
            preset.write_text(
                f'engine = "coqui"\n[model]\nmodel_path = "{model}"\nconfig_path = "{config}"\n'
            )
            for device in ("cpu", "cuda"):
                settings = Settings(voice=str(preset), device=device, cache=False)  # type: ignore[arg-type]
                ok &= run(f"coqui-tiny/{device}", settings, work / f"coqui-{device}.mp3")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
