"""Write files so that a failed or killed run never leaves a partial or clobbered file."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ._exceptions import NarratorError

__all__ = ["atomic_path", "atomic_write_bytes", "check_writable"]


@contextlib.contextmanager
def atomic_path(dest: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``dest``; move it over ``dest`` only on success."""
    dest = Path(dest)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    except FileNotFoundError as exc:
        raise NarratorError(
            f"folder {dest.parent} does not exist; create it or write {dest.name} elsewhere."
        ) from exc
    except OSError as exc:
        raise NarratorError(f"cannot write in {dest.parent} ({exc.strerror}); choose another place.") from exc
    os.close(fd)
    partial = Path(name)
    try:
        yield partial
        if dest.exists():
            with contextlib.suppress(OSError):
                os.chmod(partial, dest.stat().st_mode & 0o777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(partial, 0o666 & ~umask)
        os.replace(partial, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise


def atomic_write_bytes(dest: Path, data: bytes) -> None:
    """Write ``data`` to ``dest`` atomically."""
    with atomic_path(dest) as partial:
        partial.write_bytes(data)


def check_writable(dest: Path) -> None:
    """Fail early, before any work, when ``dest`` cannot be written."""
    dest = Path(dest)
    if dest.is_dir():
        raise NarratorError(f"output {dest} is a folder; give a file name such as {dest / 'episode.mp3'}.")
    parent = dest.parent
    if not parent.is_dir():
        raise NarratorError(f"output folder {parent} does not exist; create it or choose another -o.")
    if not os.access(parent, os.W_OK):
        raise NarratorError(f"output folder {parent} is not writable; choose another -o.")
