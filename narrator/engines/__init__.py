"""Speech engines: the :class:`Engine` protocol and the registry that finds them.

Built-in engines register through the ``narrator.engines`` entry-point group, exactly
as a third-party package would. Nothing here imports an engine's runtime.
"""

from __future__ import annotations

from .base import Engine, resolve_device
from .registry import create_engine, engine_class, engine_names

__all__ = ["Engine", "create_engine", "engine_class", "engine_names", "resolve_device"]
