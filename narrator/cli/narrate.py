"""``narrate SOURCE... -o OUT.mp3``: the default command."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ..pipeline import AI_DISCLOSURE
from ..publish import FORMATS
from . import NARRATE, _DefaultCommand, _errors, _format_time, _progress, _setup_logging, shared_options


@click.command(NARRATE, cls=_DefaultCommand)
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="MP3 file to write.")
@click.option(
    "--voice",
    default="joe",
    show_default=True,
    help="Voice preset name or preset .toml file (see 'narrate voices').",
)
@shared_options
@click.option(
    "--script",
    "script_only",
    is_flag=True,
    help="Print what would be read, chapter by chapter, and stop.",
)
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON on stdout.")
@click.option("--stereo", is_flag=True, help="Write two channels instead of mono.")
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
    from ..extract import ExtractOptions
    from ..master import MasterOptions
    from ..pipeline import Settings, make_script, narrate

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
        from ..cover import cover_for_id3

        return cover_for_id3(cover)
    if feed_config is not None:
        from ..feed import artwork_bytes, load_config

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
