"""Reading sources: files, stdin and http(s) URLs served from 127.0.0.1."""

from __future__ import annotations

import contextlib
import http.server
import io
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from narrator._exceptions import SourceError
from narrator.load import load

from .conftest import SAMPLES

PAGE = (SAMPLES / "harbour-ferry-fares.html").read_bytes()


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        routes = {
            "/article": (200, "text/html; charset=utf-8", PAGE),
            "/notes.md": (200, "text/markdown", b"# Notes\n\nA story paragraph here.\n"),
            "/image": (200, "image/png", b"\x89PNG\r\n"),
            "/huge": (200, "text/html", b"<p>" + b"x" * 3_000_000),
        }
        if self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/article")
            self.end_headers()
            return
        if self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
            return
        if self.path == "/to-ftp":
            self.send_response(302)
            self.send_header("Location", "ftp://127.0.0.1/file")
            self.end_headers()
            return
        if self.path == "/slow":
            time.sleep(3)
        status, kind, body = routes.get(self.path, (404, "text/html", b"not found"))
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_url_page(server: str) -> None:
    source = load(f"{server}/article")
    assert source.media_type == "text/html" and source.charset == "utf-8"
    assert source.data == PAGE


def test_url_redirect_is_followed(server: str) -> None:
    source = load(f"{server}/moved")
    assert source.url == f"{server}/article" and source.data == PAGE


def test_url_markdown(server: str) -> None:
    assert load(f"{server}/notes.md").media_type == "text/markdown"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/missing", "answered 404"),
        ("/image", "image/png, not a web page"),
        ("/loop", "redirect"),
        ("/to-ftp", "only http"),
    ],
)
def test_url_errors(server: str, path: str, message: str) -> None:
    with pytest.raises(SourceError, match=message):
        load(f"{server}{path}")


def test_url_timeout(server: str) -> None:
    with pytest.raises(SourceError, match="timed out after 0.5 s"):
        load(f"{server}/slow", timeout=0.5)


def test_url_size_cap(server: str) -> None:
    with pytest.raises(SourceError, match="larger than 1 MiB"):
        load(f"{server}/huge", max_bytes=1024 * 1024)


def test_unsupported_scheme() -> None:
    with pytest.raises(SourceError, match="only http and https"):
        load("ftp://example.org/article.html")


def test_file_media_types(tmp_path: Path) -> None:
    for name, kind in [("a.html", "text/html"), ("a.md", "text/markdown"), ("a.txt", "text/plain")]:
        (tmp_path / name).write_text("x")
        assert load(tmp_path / name).media_type == kind
    (tmp_path / "noext").write_text("<!doctype html><html><body><p>x</p></body></html>")
    assert load(tmp_path / "noext").media_type == "text/html"


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    class Stdin:
        buffer = io.BytesIO(b"# Title\n\nSome text here.\n")

    monkeypatch.setattr("sys.stdin", Stdin)
    source = load("-")
    assert source.name == "-" and source.media_type == "text/markdown"
