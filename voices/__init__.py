"""Voice presets shipped with narrator (``*.toml``), installed as ``narrator.builtin_voices``."""
