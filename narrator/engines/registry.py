"""Find engines through the ``narrator.engines`` entry-point group."""

from __future__ import annotations

import functools
import logging
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

from .._exceptions import EngineError
from .base import Device, Engine

if TYPE_CHECKING:
    from ..voices import Voice

__all__ = ["create_engine", "engine_class", "engine_names"]

log = logging.getLogger(__name__)

GROUP = "narrator.engines"


@functools.cache
def _entry_points() -> dict[str, object]:
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def engine_names() -> list[str]:
    """Names of every registered engine, installed or not."""
    return sorted(_entry_points())


def engine_class(name: str) -> type[Engine]:
    """The engine class registered as ``name``; importing it loads no runtime."""
    ep = _entry_points().get(name)
    if ep is None:
        known = ", ".join(engine_names()) or "none"
        raise EngineError(f"no engine named {name!r} is installed (installed: {known}).")
    try:
        cls = ep.load()  # type: ignore[attr-defined]
    except ImportError as exc:
        raise EngineError(f"engine {name!r} cannot be imported: {exc}") from exc
    if not (isinstance(cls, type) and issubclass(cls, Engine)):
        raise EngineError(f"entry point {name!r} of {GROUP} is not an Engine subclass.")
    return cls


def create_engine(voice: Voice, device: Device = "auto", *, threads: int | None = None) -> Engine:
    """Load ``voice`` with its engine on ``device``, each call using at most ``threads``."""
    engine = engine_class(voice.engine)(voice, device, threads=threads)
    log.info("speaking with %s", engine.describe())
    return engine
