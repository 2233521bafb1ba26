"""The clip cache: integrity, eviction, sharing, and resuming an interrupted narration."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from narrator.cache import ClipCache
from narrator.cli import main
from narrator.types import PCM

from .conftest import SAMPLES, decode


def clip(n: int, value: float = 0.25) -> PCM:
    return PCM(np.full(n, value, dtype=np.float32), 22050)


def test_round_trip_is_exact(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path)
    samples = np.random.default_rng(0).uniform(-1, 1, 5000).astype(np.float32)
    key = ClipCache.key("engine", "Hello.")
    assert cache.get(key) is None
    cache.put(key, PCM(samples, 22050))
    got = cache.get(key)
    assert got is not None and got.sample_rate == 22050
    assert np.array_equal(got.samples, samples)


def test_keys_depend_on_engine_and_text() -> None:
    keys = {ClipCache.key(e, t) for e in ("a", "b") for t in ("x", "y")}
    assert len(keys) == 4


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage"])
def test_corrupt_entry_is_dropped_and_remade(tmp_path: Path, damage: str) -> None:
    cache = ClipCache(tmp_path)
    key = ClipCache.key("engine", "Text.")
    cache.put(key, clip(1000))
    (path,) = tmp_path.glob("clips/*/*.clip")
    data = bytearray(path.read_bytes())
    if damage == "truncate":
        data = data[:-10]
    elif damage == "flip":
        data[-5] ^= 0xFF
    else:
        data = bytearray(b"not a clip at all")
    path.write_bytes(bytes(data))
    assert cache.get(key) is None
    assert not path.exists()
    cache.put(key, clip(1000))
    assert cache.get(key) is not None


def test_least_recently_used_entries_are_evicted(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path, max_bytes=3 * (4000 + 28))
    keys = [ClipCache.key("e", str(i)) for i in range(4)]
    for i, key in enumerate(keys):
        cache.put(key, clip(1000))
        os.utime(next(tmp_path.glob(f"clips/*/{key}.clip")), (1000 + i, 1000 + i))
    assert cache.get(keys[0]) is not None  # used now: the newest
    assert cache.evict() == 1
    assert cache.get(keys[1]) is None
    assert all(cache.get(k) is not None for k in (keys[0], keys[2], keys[3]))
    info = cache.info()
    assert info.entries == 3 and info.size <= cache.max_bytes
    assert cache.clear() == 3 and cache.info().entries == 0


def test_concurrent_writers_and_readers_never_see_half_an_entry(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path)
    key = ClipCache.key("e", "shared")
    big = clip(200_000, 0.5)
    errors: list[str] = []

    def writer() -> None:
        for _ in range(20):
            cache.put(key, big)

    def reader() -> None:
        for _ in range(200):
            got = cache.get(key)
            if got is not None and not np.array_equal(got.samples, big.samples):
                errors.append("partial read")

    threads = [threading.Thread(target=writer) for _ in range(3)] + [
        threading.Thread(target=reader) for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert not list(tmp_path.glob("clips/*/*.tmp"))


def test_cache_commands(tmp_path: Path) -> None:
    env = {"NARRATOR_CACHE": str(tmp_path)}
    ClipCache(tmp_path).put(ClipCache.key("e", "t"), clip(100))
    result = CliRunner().invoke(main, ["cache", "info", "--json"], env=env)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["entries"] == 1
    result = CliRunner().invoke(main, ["cache", "clear"], env=env)
    assert result.exit_code == 0 and "removed 1" in result.stdout
    assert ClipCache(tmp_path).info().entries == 0


def narrate_json(source: Path, out: Path, cache: Path, *extra: str) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, "-m", "narrator", str(source), "-o", str(out), "--json", *extra],
        capture_output=True,
        text=True,
        env={**os.environ, "NARRATOR_CACHE": str(cache)},
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


@pytest.mark.slow
def test_killed_narration_resumes_from_cache_with_identical_audio(tmp_path: Path) -> None:
    source = SAMPLES / "heat-pumps-explained.html"
    cache = tmp_path / "cache"
    out = tmp_path / "resumed.mp3"
    proc = subprocess.Popen(
        [sys.executable, "-m", "narrator", str(source), "-o", str(out), "-q"],
        env={**os.environ, "NARRATOR_CACHE": str(cache)},
    )
    deadline = time.monotonic() + 120
    while len(list(cache.glob("clips/*/*.clip"))) < 8:
        assert proc.poll() is None, "the narration finished before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    made = len(list(cache.glob("clips/*/*.clip")))
    assert not out.exists()

    resumed = narrate_json(source, out, cache)
    total = int(resumed["synthesized"]) + int(resumed["cached"])  # type: ignore[call-overload]
    assert resumed["cached"] == made and resumed["synthesized"] == total - made

    clean = narrate_json(source, tmp_path / "clean.mp3", tmp_path / "fresh-cache")
    assert clean["synthesized"] == total
    assert np.array_equal(decode(out), decode(tmp_path / "clean.mp3"))
    assert out.read_bytes() == (tmp_path / "clean.mp3").read_bytes()


@pytest.mark.slow
def test_editing_one_sentence_synthesises_only_that_sentence(tmp_path: Path) -> None:
    source = tmp_path / "story.html"
    page = (SAMPLES / "harbour-ferry-fares.html").read_text("utf-8")
    source.write_text(page, "utf-8")
    cache = tmp_path / "cache"
    first = narrate_json(source, tmp_path / "a.mp3", cache)
    assert first["cached"] == 0

    again = narrate_json(source, tmp_path / "b.mp3", cache)
    assert again["synthesized"] == 0
    assert (tmp_path / "a.mp3").read_bytes() == (tmp_path / "b.mp3").read_bytes()

    old = "Not everyone is convinced."
    assert page.count(old) == 1
    source.write_text(page.replace(old, "Not everyone on the waterfront is convinced."), "utf-8")
    edited = narrate_json(source, tmp_path / "c.mp3", cache)
    assert edited["synthesized"] == 1
    assert edited["cached"] == int(first["synthesized"]) - 1  # type: ignore[call-overload]
    # The voice's prepared model is kept beside the clips, and cleared with them.
    assert len(list(cache.glob("models/*.onnx"))) == 1
    result = CliRunner().invoke(main, ["cache", "clear"], env={"NARRATOR_CACHE": str(cache)})
    assert result.exit_code == 0
    assert not list(cache.glob("models/*.onnx")) and not list(cache.glob("clips/*/*"))


def test_render_is_reused_only_while_intact(tmp_path: Path) -> None:
    cache = ClipCache(tmp_path / "cache")
    mp3 = tmp_path / "a.mp3"
    mp3.write_bytes(b"ID3" + bytes(1000))
    cache.put_render("k" * 64, mp3, {"size": 1003})
    hit = cache.get_render("k" * 64)
    assert hit is not None and hit[0].read_bytes() == mp3.read_bytes()
    stored = hit[0]
    stored.write_bytes(b"ID3" + bytes(999) + b"x")  # same size, different bytes
    assert cache.get_render("k" * 64) is None
