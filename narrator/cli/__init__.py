"""The ``narrate`` command: options in, a call to the library, results out.

``narrate SOURCE... -o OUT.mp3`` is the default command (:mod:`.narrate`); ``narrate
voices``, ``cache``, ``feed`` and ``lexicon`` (:mod:`.commands`) and ``batch``
(:mod:`.batch`) sit beside it. Errors become one line on stderr and exit status 1; usage
errors exit 2; ``--debug`` shows tracebacks. This module holds the group and what the
commands share.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from .. import __version__
from .._exceptions import NarratorError

__all__ = ["feed_build", "feed_check", "main"]

NARRATE = "narrate"


class _DefaultContext(click.Context):
    """Context of the default command: its usage reads ``narrate …``, not ``narrate narrate …``."""

    @property
    def command_path(self) -> str:
        return self.parent.command_path if self.parent else super().command_path


class _DefaultCommand(click.Command):
    context_class = _DefaultContext


class _Group(click.Group):
    """A group whose default command narrates: ``narrate a.html -o a.mp3``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = [NARRATE, *args]
        elif not args:
            args = [NARRATE]
        return super().parse_args(ctx, args)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        command = self.commands[NARRATE]
        with click.Context(command, info_name=ctx.info_name, parent=ctx.parent) as sub:
            command.format_help(sub, formatter)
        rows = [
            (name, cmd.get_short_help_str(limit=70))
            for name, cmd in self.commands.items()
            if name != NARRATE and not cmd.hidden
        ]
        with formatter.section("Other commands"):
            formatter.write_dl(rows)
        formatter.write_paragraph()
        formatter.write_text("Run 'narrate COMMAND --help' for a command's options.")


def _setup_logging(verbose: int, quiet: bool) -> None:
    level = logging.WARNING if quiet or not verbose else logging.INFO if verbose == 1 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("%(levelname)s %(name)s: %(message)s" if verbose > 1 else "%(message)s")
    )
    root = logging.getLogger("narrator")
    root.handlers[:] = [handler]
    root.setLevel(level)


@contextmanager
def _errors(debug: bool) -> Iterator[None]:
    """Turn narrator's errors into one line and exit status 1."""
    try:
        yield
    except NarratorError as exc:
        if debug:
            raise
        message = str(exc).strip().splitlines()
        raise click.ClickException(message[0] if message else type(exc).__name__) from exc
    except KeyboardInterrupt:
        click.echo("Interrupted; no output was written.", err=True)
        sys.exit(130)


def _progress(enabled: bool, label: str) -> tuple[Callable[[int, int], None] | None, Callable[[], None]]:
    """A progress callback drawing a bar on a terminal, and a function to close it."""
    if not enabled:
        return None, lambda: None
    state: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        bar = state.get("bar")
        if bar is None:
            bar = click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True)
            bar.__enter__()
            state["bar"] = bar
        bar.update(done - bar.pos)

    def close() -> None:
        if "bar" in state:
            state["bar"].__exit__(None, None, None)

    return update, close


def shared_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Options that ``narrate`` and ``narrate batch`` share: device, loudness, bitrate, intro."""
    from ..pipeline import AI_DISCLOSURE

    options = [
        click.option(
            "--device",
            type=click.Choice(["auto", "cpu", "cuda"]),
            default="auto",
            show_default=True,
            help="Where to synthesise; auto uses a GPU when the engine can.",
        ),
        click.option(
            "--loudness",
            type=click.FloatRange(-40, -5),
            default=-16.0,
            show_default=True,
            help="Integrated loudness target in LUFS (-23 for EBU R128 broadcast).",
        ),
        click.option(
            "--true-peak",
            type=click.FloatRange(-9, 0),
            default=-1.0,
            show_default=True,
            help="Highest true peak in dBTP.",
        ),
        click.option(
            "--bitrate",
            type=click.IntRange(32, 320),
            default=96,
            show_default=True,
            help="Constant MP3 bitrate in kbit/s.",
        ),
        click.option(
            "--no-byline", is_flag=True, help="Do not read the authors and date after the headline."
        ),
        click.option(
            "--disclose",
            "disclosure",
            is_flag=False,
            flag_value=AI_DISCLOSURE,
            default=None,
            help=f"Read an AI-disclosure sentence (default text: {AI_DISCLOSURE!r}).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _format_time(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="narrator")
def main() -> None:
    """Turn written articles into podcast-ready narrated MP3s."""
    if threading.current_thread() is threading.main_thread():
        # A CI runner's kill (SIGTERM) unwinds like Ctrl-C: partial files are removed.
        signal.signal(signal.SIGTERM, _terminate)


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


from .batch import batch_command  # noqa: E402
from .commands import cache_group, feed_build, feed_check, feed_group, lexicon_group, voices_command  # noqa: E402
from .narrate import narrate_command  # noqa: E402

for _command in (narrate_command, voices_command, cache_group, feed_group, lexicon_group, batch_command):
    main.add_command(_command)
