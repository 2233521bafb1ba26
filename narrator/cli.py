"""The ``narrate`` command: options in, a call to the library, results out.

``narrate SOURCE... -o OUT.mp3`` is the default command; ``narrate voices`` and the other
subcommands sit beside it. Errors become one line on stderr and exit status 1; usage
errors exit 2; ``--debug`` shows tracebacks.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from . import __version__
from ._exceptions import NarratorError
from .pipeline import AI_DISCLOSURE
from .publish import FORMATS

__all__ = ["main"]

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


@main.command(NARRATE, cls=_DefaultCommand)
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="MP3 file to write.")
@click.option(
    "--voice",
    default="joe",
    show_default=True,
    help="Voice preset name or preset .toml file (see 'narrate voices').",
)
@click.option(
    "--device",
    type=click.Choice(["auto", "cpu", "cuda"]),
    default="auto",
    show_default=True,
    help="Where to synthesise; auto uses a GPU when the engine can.",
)
@click.option(
    "--script",
    "script_only",
    is_flag=True,
    help="Print what would be read, chapter by chapter, and stop.",
)
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON on stdout.")
@click.option(
    "--loudness",
    type=click.FloatRange(-40, -5),
    default=-16.0,
    show_default=True,
    help="Integrated loudness target in LUFS (-23 for EBU R128 broadcast).",
)
@click.option(
    "--true-peak",
    type=click.FloatRange(-9, 0),
    default=-1.0,
    show_default=True,
    help="Highest true peak in dBTP.",
)
@click.option(
    "--bitrate",
    type=click.IntRange(32, 320),
    default=96,
    show_default=True,
    help="Constant MP3 bitrate in kbit/s.",
)
@click.option("--stereo", is_flag=True, help="Write two channels instead of mono.")
@click.option("--no-byline", is_flag=True, help="Do not read the authors and date after the headline.")
@click.option(
    "--disclose",
    "disclosure",
    is_flag=False,
    flag_value=AI_DISCLOSURE,
    default=None,
    help=f"Read an AI-disclosure sentence (default text: {AI_DISCLOSURE!r}).",
)
@click.option(
    "--disclose-at",
    type=click.Choice(["intro", "end"]),
    help="Where the disclosure is read: after the intro (default) or at the end; implies --disclose.",
)
@click.option("--captions", is_flag=True, help="Read photo captions (never their credits).")
@click.option("--pull-quotes", is_flag=True, help="Read pull quotes even when they repeat the body.")
@click.option("--no-lists", is_flag=True, help="Skip list items.")
@click.option(
    "--lexicon",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Pronunciation lexicon (TOML) applied over the shipped and user ones.",
)
@click.option(
    "--links",
    type=click.Choice(["short", "skip"]),
    default="short",
    show_default=True,
    help="Read URLs and e-mail addresses as a short form, or skip them.",
)
@click.option(
    "--transcripts",
    "transcripts",
    multiple=True,
    type=click.Choice(["vtt", "srt", "json", "chapters", "all"]),
    help="Also write these beside the MP3, with the episode manifest (repeat, or 'all').",
)
@click.option("--manifest", is_flag=True, help="Write the episode manifest (for 'narrate feed build').")
@click.option(
    "--cover",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Square JPEG or PNG to embed as cover art.",
)
@click.option(
    "--feed-config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A feed.toml: its artwork is embedded when --cover is not given.",
)
@click.option(
    "--workers", type=click.IntRange(1, 64), help="Sentences synthesised at once [default: one per core]."
)
@click.option("--no-cache", is_flag=True, help="Neither reuse nor keep synthesised clips.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("-v", "--verbose", count=True, help="Say what happens (-vv for every command run).")
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
def narrate_command(
    sources: tuple[str, ...],
    output: Path | None,
    voice: str,
    device: str,
    script_only: bool,
    as_json: bool,
    loudness: float,
    true_peak: float,
    bitrate: int,
    stereo: bool,
    no_byline: bool,
    disclosure: str | None,
    disclose_at: str | None,
    captions: bool,
    pull_quotes: bool,
    no_lists: bool,
    lexicon: Path | None,
    links: str,
    transcripts: tuple[str, ...],
    manifest: bool,
    cover: Path | None,
    feed_config: Path | None,
    workers: int | None,
    no_cache: bool,
    quiet: bool,
    verbose: int,
    debug: bool,
) -> None:
    """Narrate SOURCE (an HTML page, Markdown or text file, an http(s) URL, or - for
    stdin) into a podcast-ready MP3 with chapters. Several sources make one episode,
    each article a chapter.

    \b
    Examples:
      narrate article.html -o article.mp3
      narrate a.html b.md -o briefing.mp3
      narrate --script article.html
    """
    from .extract import ExtractOptions
    from .master import MasterOptions
    from .pipeline import Settings, make_script, narrate

    _setup_logging(verbose + (2 if debug else 0), quiet)
    sidecars: tuple[str, ...] | None = None
    if transcripts or manifest:
        sidecars = FORMATS if "all" in transcripts else tuple(transcripts)
    with _errors(debug):
        artwork = _artwork(cover, feed_config)
    settings = Settings(
        voice=voice,
        device=device,  # type: ignore[arg-type]
        byline=not no_byline,
        disclosure=disclosure or (AI_DISCLOSURE if disclose_at else None),
        disclosure_at=disclose_at or "intro",  # type: ignore[arg-type]
        extract=ExtractOptions(captions=captions, pull_quotes=pull_quotes, lists=not no_lists),
        master=MasterOptions(
            loudness=loudness, true_peak=true_peak, bitrate=bitrate, channels=2 if stereo else 1
        ),
        workers=workers,
        cache=not no_cache,
        sidecars=sidecars,
        cover=artwork,
        lexicon=lexicon,
        links=links,  # type: ignore[arg-type]
    )
    if script_only:
        with _errors(debug):
            script = make_script(sources, settings)
        _print_script(script, as_json)
        return
    if output is None:
        raise click.UsageError("give the MP3 to write with -o/--output (or use --script).")
    if sources.count("-") > 1:
        raise click.UsageError("stdin (-) can be given only once.")
    show_bar = not quiet and not as_json and sys.stderr.isatty()
    progress, close = _progress(show_bar, "Synthesising")
    try:
        with _errors(debug):
            episode = narrate(sources, output, settings, progress=progress)
    finally:
        close()
    chapters = [
        {
            "title": c.title,
            "start": round(episode.timeline.seconds(c.start), 3),
            "end": round(episode.timeline.seconds(c.end), 3),
        }
        for c in episode.timeline.chapters
    ]
    if as_json:
        click.echo(
            json.dumps(
                {
                    "path": str(episode.path),
                    "duration": round(episode.duration, 3),
                    "size": episode.size,
                    "loudness": episode.loudness.integrated,
                    "true_peak": episode.loudness.true_peak,
                    "engine": episode.engine,
                    "synthesized": episode.synthesized,
                    "cached": episode.cached,
                    "seconds": round(episode.seconds, 3),
                    "chapters": chapters,
                    "manifest": str(episode.manifest) if episode.manifest else None,
                },
                indent=2,
            )
        )
    elif not quiet:
        click.echo(
            f"{episode.path}  {_format_time(episode.duration)}  {episode.size / 1e6:.1f} MB  "
            f"{episode.loudness.integrated:.1f} LUFS  {episode.loudness.true_peak:.1f} dBTP"
        )
        for c in episode.timeline.chapters:
            click.echo(f"  {_format_time(episode.timeline.seconds(c.start)):>7}  {c.title}")


def _artwork(cover: Path | None, feed_config: Path | None) -> bytes | None:
    """Cover art to embed: ``--cover``, else the feed configuration's artwork."""
    if cover is not None:
        from .cover import cover_for_id3

        return cover_for_id3(cover)
    if feed_config is not None:
        from .feed import artwork_bytes, load_config

        return artwork_bytes(load_config(feed_config))
    return None


def _print_script(script: Any, as_json: bool) -> None:
    if as_json:
        data = {
            "title": script.title,
            "language": script.language,
            "chapters": [
                {
                    "title": c.title,
                    "sentences": [
                        {
                            "index": s.index,
                            "text": s.text,
                            "spoken": s.spoken,
                            "paragraph": s.paragraph,
                        }
                        for s in c.sentences
                    ],
                }
                for c in script.chapters
            ],
        }
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    for chapter in script.chapters:
        click.echo(f"## {chapter.title}")
        paragraph = None
        for sentence in chapter.sentences:
            if paragraph is not None and sentence.paragraph != paragraph:
                click.echo("")
            paragraph = sentence.paragraph
            click.echo(f"{sentence.index + 1:>4}  {sentence.text}")
            if sentence.spoken != sentence.text:
                click.echo(f"      ↳ {sentence.spoken}")
        click.echo("")


@main.group("voices", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def voices_command(ctx: click.Context, as_json: bool) -> None:
    """List voice presets: engine, language and whether each is ready here."""
    if ctx.invoked_subcommand is not None:
        return
    from .voices import list_voices, user_voices_dir

    rows = []
    with _errors(False):
        for voice in list_voices():
            ready, where = _voice_status(voice)
            rows.append(
                {
                    "name": voice.name,
                    "engine": voice.engine,
                    "language": voice.language,
                    "ready": ready,
                    "model": where,
                    "description": voice.description,
                }
            )
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        mark = "ready" if row["ready"] else "missing"
        click.echo(
            f"{row['name']:<16} {row['engine']:<7} {row['language']:<6} {mark:<8} {row['description']}"
        )
        click.echo(f"{'':<16} model: {row['model']}")
    click.echo(f"\nUser voices folder: {user_voices_dir()}")


@voices_command.command("add")
@click.argument("source", metavar="PATH_OR_URL")
@click.option("--name", help="Name of the new voice [default: the model's file name].")
def voices_add(source: str, name: str | None) -> None:
    """Install a Piper voice (.onnx with its .onnx.json) into the user voices folder.

    PATH_OR_URL is the model's path or http(s) URL, or a folder with one model. The pair
    is checked to be complete and to speak before anything is installed.
    """
    from .voices import add_piper_voice

    with _errors(False):
        voice = add_piper_voice(source, name=name)
    click.echo(f"installed voice {voice.name} ({voice.language}): narrate --voice {voice.name} ...")


def _voice_status(voice: Any) -> tuple[bool, str]:
    """Whether a voice's model is on this machine, and where."""
    import importlib.util

    from .engines import engine_names

    if voice.engine not in engine_names():
        return False, f"engine {voice.engine!r} not installed"
    model = voice.model
    if "package" in model:
        spec = importlib.util.find_spec(model["package"])
        return spec is not None, f"Python package {model['package']}"
    for key in ("model_path", "path"):
        if key in model:
            path = voice.resolve(model[key])
            return path.exists(), str(path)
    if "name" in model:
        return True, f"{voice.engine} catalogue: {model['name']}"
    return False, "no model configured"


@main.group("cache")
def cache_group() -> None:
    """Inspect or empty the clip cache ($NARRATOR_CACHE or the platform cache folder)."""


@cache_group.command("info")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def cache_info(as_json: bool) -> None:
    """Show where the cache is, how many files it holds and its size."""
    from .cache import ClipCache

    info = ClipCache().info()
    if as_json:
        data = {
            "path": str(info.path),
            "entries": info.entries,
            "size": info.size,
            "max_bytes": info.max_bytes,
        }
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(
        f"{info.path}\n{info.entries} files, {info.size / 2**20:.1f} MiB of {info.max_bytes / 2**30:.1f} GiB"
    )


@cache_group.command("clear")
def cache_clear() -> None:
    """Delete every cached clip and render."""
    from .cache import ClipCache

    removed = ClipCache().clear()
    click.echo(f"removed {removed} files")


@main.group("feed")
def feed_group() -> None:
    """Build and check the podcast RSS feed of narrated episodes."""


@feed_group.command("build")
@click.argument("episodes", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--config",
    "config_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Feed configuration (TOML).",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="feed.xml to write.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def feed_build(episodes: Path, config_path: Path, output: Path, as_json: bool) -> None:
    """Build an RSS feed (Apple Podcasts + Podcasting 2.0) from the manifests in EPISODES.

    The new feed is checked as 'narrate feed check' does before it replaces the old one.
    """
    from .feed import build, load_config

    with _errors(False):
        result = build(episodes, load_config(config_path), output)
    if as_json:
        data = {k: str(v) if isinstance(v, Path) else v for k, v in vars(result).items()}
        click.echo(json.dumps(data, indent=2))
        return
    dropped = f" ({result.dropped} older left out)" if result.dropped else ""
    click.echo(f"{result.path}: {len(result.guids)} episodes{dropped}, podcast:guid {result.podcast_guid}")


@feed_group.command("check")
@click.argument("feed_path", metavar="FEED", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--episodes",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Local folder of the episodes, to check enclosure lengths and artwork against the files.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Feed configuration, for its base URL.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
def feed_check(feed_path: Path, episodes: Path | None, config_path: Path | None, as_json: bool) -> None:
    """Report everything in FEED a podcast directory would reject; exit 1 if anything is."""
    from .feed import check, load_config

    with _errors(False):
        base_url = load_config(config_path).base_url if config_path else None
        problems = check(feed_path, episodes_dir=episodes, base_url=base_url)
    if as_json:
        click.echo(json.dumps([vars(p) for p in problems], indent=2))
    else:
        for problem in problems:
            click.echo(f"{problem.code}: {problem}")
        if not problems:
            click.echo(f"{feed_path}: no problems found")
    if problems:
        sys.exit(1)


@main.group("lexicon")
def lexicon_group() -> None:
    """Pronunciation lexicons: fix how names and words are said, once and for all."""


@lexicon_group.command("check")
@click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--voice", default="joe", show_default=True, help="Check phonemes against this voice's symbols."
)
def lexicon_check(path: Path, voice: str) -> None:
    """Validate a lexicon FILE: TOML, keys, duplicates, and phonemes the voice can say."""
    from .lexicon import check
    from .voices import get_voice

    with _errors(False):
        preset = get_voice(voice)
        symbols = None
        if preset.engine == "piper":
            from .engines.piper import phoneme_symbols

            symbols = phoneme_symbols(preset)
        problems = check(path, phonemes=symbols)
    for problem in problems:
        click.echo(problem)
    if problems:
        sys.exit(1)
    click.echo(f"{path}: no problems found")


def _register() -> None:
    from .cli_batch import batch_command

    main.add_command(batch_command)


_register()
