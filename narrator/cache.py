"""A content-addressed cache of synthesised clips and finished renders.

A clip's key is a digest of everything that changes its audio: the engine's
:meth:`~narrator.engines.Engine.cache_key` (engine, model file digest, voice settings) and
the spoken text. Entries are written atomically (a temporary file renamed into place), so
narrations sharing the cache at once never see half an entry; each entry carries a digest
of its samples, so a corrupt one is detected, dropped and made again. The cache is capped
in size and evicts the least recently used entries.

A *render* is a finished MP3 with a small JSON record (timeline, loudness), keyed by a
digest of everything that went into it; narrating the same script with the same voice
and settings again copies it instead of mastering anew.

The folder is ``$NARRATOR_CACHE`` or the platform's user cache folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .types import PCM

__all__ = ["DEFAULT_MAX_BYTES", "CacheInfo", "ClipCache", "default_cache_dir"]

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 2 * 1024**3
"""Default size cap: 2 GiB, about 6 hours of speech at 22 kHz."""

_MAGIC = b"NRC1"
_HEADER = struct.Struct("<4sII16s")  # magic, sample rate, sample count, digest of samples
_SUFFIX = ".clip"


def default_cache_dir() -> Path:
    """``$NARRATOR_CACHE``, else the platform's user cache folder for narrator."""
    env = os.environ.get("NARRATOR_CACHE")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_path

    return user_cache_path("narrator")


@dataclass(frozen=True)
class CacheInfo:
    """What the cache holds."""

    path: Path
    """The cache folder."""
    entries: int
    """Number of files: clips, and finished MP3s with their records."""
    size: int
    """Bytes used."""
    max_bytes: int
    """Size cap in bytes."""


class ClipCache:
    """Clips on disk, keyed by :meth:`key`."""

    def __init__(self, root: Path | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.root = Path(root) if root is not None else default_cache_dir()
        self.max_bytes = max_bytes

    @staticmethod
    def key(engine_key: str, text: str) -> str:
        """Key of the clip ``text`` spoken by an engine whose cache key is ``engine_key``."""
        return hashlib.sha256(f"{engine_key}\n{text}".encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.root / "clips" / key[:2] / f"{key}{_SUFFIX}"

    def _render(self, key: str) -> tuple[Path, Path]:
        folder = self.root / "renders" / key[:2]
        return folder / f"{key}.mp3", folder / f"{key}.json"

    def get_render(self, key: str) -> tuple[Path, dict[str, object]] | None:
        """The cached MP3 and its record for render ``key``, or ``None``."""
        mp3, record = self._render(key)
        try:
            meta = json.loads(record.read_text("utf-8"))
            if not isinstance(meta, dict) or _sha256(mp3) != meta.get("sha256"):
                raise ValueError("damaged")
        except (OSError, ValueError):
            return None
        for path in (mp3, record):
            with contextlib.suppress(OSError):
                os.utime(path)
        return mp3, meta

    def put_render(self, key: str, mp3: Path, meta: dict[str, object]) -> None:
        """Keep a copy of a finished MP3 and its record under ``key``."""
        target, record = self._render(key)
        try:
            meta = {**meta, "sha256": _sha256(mp3)}
            target.parent.mkdir(parents=True, exist_ok=True)
            for dest, write in (
                (target, lambda tmp: shutil.copyfile(mp3, tmp)),
                (record, lambda tmp: Path(tmp).write_text(json.dumps(meta), "utf-8")),
            ):
                fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=dest.parent)
                os.close(fd)
                try:
                    write(tmp)
                    os.replace(tmp, dest)
                except BaseException:
                    with contextlib.suppress(OSError):
                        os.unlink(tmp)
                    raise
        except OSError as exc:
            log.warning("could not write to the cache %s: %s", self.root, exc)

    def get(self, key: str) -> PCM | None:
        """The clip stored under ``key``, or ``None``; a corrupt entry is removed."""
        path = self._path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        try:
            magic, rate, count, digest = _HEADER.unpack_from(data)
            payload = data[_HEADER.size :]
            if (
                magic != _MAGIC
                or len(payload) != count * 4
                or hashlib.sha256(payload).digest()[:16] != digest
            ):
                raise ValueError("bad entry")
        except (struct.error, ValueError):
            log.warning("dropping corrupt cache entry %s", path)
            with contextlib.suppress(OSError):
                path.unlink()
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: evicted last
        return PCM(samples=np.frombuffer(payload, dtype="<f4").copy(), sample_rate=rate)

    def put(self, key: str, clip: PCM) -> None:
        """Store ``clip`` under ``key`` atomically. Failures to write only log a warning."""
        payload = np.ascontiguousarray(clip.samples, dtype="<f4").tobytes()
        header = _HEADER.pack(
            _MAGIC, clip.sample_rate, len(payload) // 4, hashlib.sha256(payload).digest()[:16]
        )
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=path.parent)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(header)
                    fh.write(payload)
                os.replace(tmp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError as exc:
            log.warning("could not write to the clip cache %s: %s", self.root, exc)

    def _entries(self) -> list[tuple[float, int, Path]]:
        found: list[tuple[float, int, Path]] = []
        if not self.root.is_dir():
            return found
        for path in [
            *self.root.glob(f"clips/*/*{_SUFFIX}"),
            *self.root.glob("renders/*/*.*"),
            *self.root.glob("models/*.onnx"),
            *self.root.glob("models/.*.part"),  # left by a killed run (or being written)
        ]:
            with contextlib.suppress(OSError):
                st = path.stat()
                found.append((st.st_mtime, st.st_size, path))
        return found

    def info(self) -> CacheInfo:
        """Count and size of the entries."""
        entries = self._entries()
        return CacheInfo(self.root, len(entries), sum(size for _, size, _ in entries), self.max_bytes)

    def evict(self) -> int:
        """Remove the least recently used entries until the cache fits its cap; return how many."""
        entries = sorted(self._entries())
        total = sum(size for _, size, _ in entries)
        removed = 0
        for _, size, path in entries:
            if total <= self.max_bytes:
                break
            with contextlib.suppress(OSError):
                path.unlink()
                removed += 1
            total -= size
        return removed

    def clear(self) -> int:
        """Remove every entry; return how many."""
        removed = 0
        for _, _, path in self._entries():
            with contextlib.suppress(OSError):
                path.unlink()
                removed += 1
        return removed


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
