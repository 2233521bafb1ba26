"""Read a source — a path, ``-`` for stdin, or an http(s) URL — into bytes and a media type."""

from __future__ import annotations

import logging
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from ._exceptions import SourceError

__all__ = ["MAX_BYTES", "Source", "download", "is_http_url", "load"]

log = logging.getLogger(__name__)

MAX_BYTES = 25 * 1024 * 1024
"""Largest source read, from disk or the network."""

_SUFFIX_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".xhtml": "text/html",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".txt": "text/plain",
    ".text": "text/plain",
}


@dataclass(frozen=True)
class Source:
    """Raw bytes of one input, before any parsing."""

    data: bytes
    """The content as read."""
    media_type: str
    """``text/html``, ``text/markdown`` or ``text/plain``."""
    name: str
    """What the user gave: the path, URL or ``-``."""
    url: str | None = None
    """Final URL after redirects, for network sources."""
    charset: str | None = None
    """Character set declared by the server, if any."""


def is_http_url(text: str) -> bool:
    """Whether ``text`` is an absolute http(s) URL."""
    parts = urllib.parse.urlsplit(text)
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def sniff(data: bytes) -> str:
    """Guess the media type of text with no name or header to go by."""
    head = data[:2048].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<body" in head:
        return "text/html"
    if head.startswith(b"<") and b">" in head:
        return "text/html"
    if head.startswith(b"#") or b"\n## " in head or b"\n# " in head:
        return "text/markdown"
    return "text/plain"


def load(source: str | Path, *, timeout: float = 20.0, max_bytes: int = MAX_BYTES) -> Source:
    """Read ``source`` into a :class:`Source`."""
    name = str(source)
    if name == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
        _check_size(name, data, max_bytes)
        return Source(data=data, media_type=sniff(data), name=name)
    if is_http_url(name):
        return _fetch(name, timeout=timeout, max_bytes=max_bytes)
    scheme = urllib.parse.urlsplit(name).scheme.lower()
    if scheme and len(scheme) > 1 and "://" in name:
        raise SourceError(f"{name}: only http and https URLs can be narrated; download it first.")
    return _read_file(Path(name), max_bytes)


def _check_size(name: str, data: bytes, max_bytes: int) -> None:
    if len(data) > max_bytes:
        raise SourceError(
            f"{name} is larger than {max_bytes // (1024 * 1024)} MiB; "
            "narrate a smaller page or extract the article first."
        )


def _read_file(path: Path, max_bytes: int) -> Source:
    if not path.exists():
        raise SourceError(f"{path}: no such file; check the path.")
    if path.is_dir():
        raise SourceError(f"{path} is a folder; give an article file (use 'narrate batch' for folders).")
    try:
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise SourceError(f"{path}: cannot read it ({exc.strerror}); check its permissions.") from exc
    _check_size(str(path), data, max_bytes)
    media_type = _SUFFIX_TYPES.get(path.suffix.lower()) or sniff(data)
    return Source(data=data, media_type=media_type, name=str(path))


class _LimitedRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = 5

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        scheme = urllib.parse.urlsplit(newurl).scheme.lower()
        if scheme not in ("http", "https"):
            raise SourceError(f"{req.full_url} redirects to a {scheme or 'relative'} URL; only http(s).")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _fetch(url: str, *, timeout: float, max_bytes: int) -> Source:
    opener = urllib.request.build_opener(_LimitedRedirects)
    request = urllib.request.Request(
        url,
        headers={
            "User-Agent": "narrator/0.1 (+article narration)",
            "Accept": "text/html,application/xhtml+xml,text/plain;q=0.8,text/markdown;q=0.8",
        },
    )
    log.debug("fetching %s", url)
    try:
        with opener.open(request, timeout=timeout) as response:
            content_type = response.headers.get_content_type()
            charset = response.headers.get_content_charset()
            if content_type not in (
                "text/html",
                "application/xhtml+xml",
                "text/plain",
                "text/markdown",
            ):
                raise SourceError(
                    f"{url} is {content_type}, not a web page; give the URL of an article page."
                )
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise SourceError(
                    f"{url} is larger than {max_bytes // (1024 * 1024)} MiB; "
                    "narrate a smaller page or save the article first."
                )
            data = response.read(max_bytes + 1)
            final_url = response.geturl()
    except SourceError:
        raise
    except urllib.error.HTTPError as exc:
        raise SourceError(f"{url}: the server answered {exc.code} {exc.reason}; check the URL.") from exc
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError) or "timed out" in str(reason):
            raise SourceError(f"{url}: timed out after {timeout:g} s; try again later.") from exc
        raise SourceError(f"{url}: cannot connect ({reason}); check the URL and network.") from exc
    except TimeoutError as exc:
        raise SourceError(f"{url}: timed out after {timeout:g} s; try again later.") from exc
    _check_size(url, data, max_bytes)
    media_type = "text/html" if content_type == "application/xhtml+xml" else content_type
    return Source(data=data, media_type=media_type, name=url, url=final_url, charset=charset)


def download(url: str, dest: Path, *, timeout: float = 60.0, max_bytes: int = 512 * 1024 * 1024) -> None:
    """Save the http(s) resource at ``url`` to ``dest`` (a new file), streaming, size-capped."""
    if not is_http_url(url):
        raise SourceError(f"{url}: only http and https URLs can be downloaded.")
    opener = urllib.request.build_opener(_LimitedRedirects)
    request = urllib.request.Request(url, headers={"User-Agent": "narrator/0.1"})
    log.debug("downloading %s", url)
    try:
        with opener.open(request, timeout=timeout) as response, dest.open("xb") as out:
            total = 0
            while chunk := response.read(1 << 20):
                total += len(chunk)
                if total > max_bytes:
                    raise SourceError(
                        f"{url} is larger than {max_bytes // (1024 * 1024)} MiB; is it the right file?"
                    )
                out.write(chunk)
    except urllib.error.HTTPError as exc:
        raise SourceError(f"{url}: the server answered {exc.code} {exc.reason}; check the URL.") from exc
    except urllib.error.URLError as exc:
        raise SourceError(f"{url}: cannot download it ({exc.reason}); check the URL and network.") from exc
    except TimeoutError as exc:
        raise SourceError(f"{url}: timed out after {timeout:g} s; try again later.") from exc
