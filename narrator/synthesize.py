"""Speak every sentence of a script: one :class:`~narrator.types.PCM` clip per sentence.

Clips come from the :class:`~narrator.cache.ClipCache` when it has them; the rest are
synthesised by a pool of worker threads sharing one engine (onnxruntime and torch release
the GIL while they compute, so threads use every core without loading the model once per
process), and each new clip is cached as soon as it is made — an interrupted narration
loses at most the sentences in flight. Results are returned in script order.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass

from ._exceptions import EngineError
from .cache import ClipCache
from .engines import Engine
from .types import PCM, Script, Sentence

__all__ = ["Progress", "Synthesis", "default_workers", "synthesize"]

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` as sentences are ready."""


@dataclass(frozen=True)
class Synthesis:
    """The clips of a script, and where they came from."""

    clips: tuple[PCM, ...]
    """One clip per sentence, in script order."""
    synthesized: int
    """How many clips the engine made in this run."""
    cached: int
    """How many came from the cache."""


def default_workers(device: str) -> int:
    """Threads to synthesise with: one per core on the CPU, two to keep a GPU busy."""
    if device == "cuda":
        return 2
    return max(1, min(os.cpu_count() or 1, 8))


def synthesize(
    script: Script,
    engine: Engine,
    *,
    cache: ClipCache | None = None,
    workers: int = 1,
    progress: Progress | None = None,
) -> Synthesis:
    """Synthesise (or fetch from ``cache``) every sentence of ``script``, in order."""
    sentences = script.sentences
    total = len(sentences)
    clips: list[PCM | None] = [None] * total
    engine_key = engine.cache_key() if cache is not None else ""
    todo: list[tuple[int, Sentence, str]] = []
    for position, sentence in enumerate(sentences):
        key = ClipCache.key(engine_key, sentence.spoken) if cache is not None else ""
        hit = cache.get(key) if cache is not None else None
        if hit is not None:
            clips[position] = hit
        else:
            todo.append((position, sentence, key))
    cached = total - len(todo)
    if todo:
        engine.load()
    log.info("%d of %d sentences from the clip cache; synthesising %d", cached, total, len(todo))
    done = cached
    lock = threading.Lock()
    if progress:
        progress(done, total)

    def speak(item: tuple[int, Sentence, str]) -> None:
        nonlocal done
        position, sentence, key = item
        clip = _speak(engine, sentence)
        if cache is not None:
            cache.put(key, clip)
        clips[position] = clip
        with lock:
            done += 1
            if progress:
                progress(done, total)

    if workers <= 1 or len(todo) <= 1:
        for item in todo:
            speak(item)
    else:
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="narrator-tts")
        try:
            futures = [pool.submit(speak, item) for item in todo]
            finished, _ = wait(futures, return_when=FIRST_EXCEPTION)
            for future in finished:
                error = future.exception()
                if error is not None:
                    raise error
        finally:
            # On an error or Ctrl-C, drop the sentences not started yet.
            pool.shutdown(wait=True, cancel_futures=True)
    if todo:
        engine.release()
    if cache is not None and todo:
        cache.evict()
    ready = [c for c in clips if c is not None]
    if len(ready) != total:
        raise EngineError(f"synthesis stopped after {len(ready)} of {total} sentences")
    return Synthesis(clips=tuple(ready), synthesized=len(todo), cached=cached)


def _speak(engine: Engine, sentence: Sentence) -> PCM:
    try:
        return engine.synthesize(sentence.spoken)
    except EngineError:
        raise
    except Exception as exc:
        raise EngineError(
            f"{engine.name} failed on sentence {sentence.index + 1} ({sentence.spoken[:60]!r}): {exc}"
        ) from exc
