"""Artwork: the directory rules checked on real image files, and the generated cover."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from narrator._exceptions import FeedError
from narrator.cover import artwork_problems, check_artwork, cover_for_id3, generate_cover


def image(path: Path, size: tuple[int, int], fmt: str, mode: str = "RGB") -> Path:
    Image.new(mode, size, "white" if mode != "CMYK" else (0, 0, 0, 0)).save(path, format=fmt)
    return path


def codes(path: Path) -> list[str]:
    return [code for code, _ in artwork_problems(path)]


@pytest.mark.parametrize(
    ("name", "size", "fmt"),
    [("a.png", (1400, 1400), "PNG"), ("a.jpg", (3000, 3000), "JPEG"), ("a.JPEG", (2048, 2048), "JPEG")],
)
def test_valid_artwork_passes(tmp_path: Path, name: str, size: tuple[int, int], fmt: str) -> None:
    assert check_artwork(image(tmp_path / name, size, fmt)) == []


@pytest.mark.parametrize(
    ("name", "size", "fmt", "mode", "code"),
    [
        ("small.png", (1399, 1399), "PNG", "RGB", "artwork-size"),
        ("large.jpg", (3001, 3001), "JPEG", "RGB", "artwork-size"),
        ("wide.png", (1600, 1400), "PNG", "RGB", "artwork-size"),
        ("cover.gif", (1400, 1400), "GIF", "P", "artwork-format"),
        ("cover.webp", (1400, 1400), "WEBP", "RGB", "artwork-format"),
        ("png-named.jpg", (1400, 1400), "PNG", "RGB", "artwork-extension"),
        ("jpeg-named.png", (1400, 1400), "JPEG", "RGB", "artwork-extension"),
        ("cmyk.jpg", (1400, 1400), "JPEG", "CMYK", "artwork-colour"),
    ],
)
def test_each_fault_is_reported(
    tmp_path: Path, name: str, size: tuple[int, int], fmt: str, mode: str, code: str
) -> None:
    path = image(tmp_path / name, size, fmt, mode)
    assert codes(path) == [code]
    assert all(path.name in message for message in check_artwork(path))


def test_unreadable_and_missing_files(tmp_path: Path) -> None:
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"not an image")
    assert codes(junk) == ["artwork-unreadable"]
    assert codes(tmp_path / "missing.png") == ["artwork-unreadable"]


def test_generated_cover_meets_the_rules_and_is_deterministic(tmp_path: Path) -> None:
    first = generate_cover("Harbour Town Audio: the week's news read aloud", tmp_path / "cover.png")
    assert check_artwork(first) == []
    with Image.open(first) as img:
        assert img.format == "PNG" and img.size == (1400, 1400) and img.mode == "RGB"
        colours = img.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50, "a gradient and anti-aliased title text"
    again = generate_cover("Harbour Town Audio: the week's news read aloud", tmp_path / "again.png")
    assert first.read_bytes() == again.read_bytes()
    other = generate_cover("Science Hour", tmp_path / "other.png")
    with Image.open(first) as a, Image.open(other) as b:
        assert a.getpixel((5, 5)) != b.getpixel((5, 5)), "the colour comes from the title"


def test_generated_cover_as_large_jpeg(tmp_path: Path) -> None:
    out = generate_cover("A very long title " * 12, tmp_path / "cover.jpg", size=3000)
    assert check_artwork(out) == []
    with Image.open(out) as img:
        assert img.format == "JPEG" and img.size == (3000, 3000)


def test_generate_cover_rejects_bad_requests(tmp_path: Path) -> None:
    with pytest.raises(FeedError, match="1400"):
        generate_cover("T", tmp_path / "c.png", size=1000)
    with pytest.raises(FeedError, match=r"\.png"):
        generate_cover("T", tmp_path / "c.gif")


def test_cover_for_id3(tmp_path: Path) -> None:
    big = image(tmp_path / "big.png", (3000, 3000), "PNG")
    data = cover_for_id3(big)
    with Image.open(io.BytesIO(data)) as img:
        assert img.format == "JPEG" and img.size == (1400, 1400)
    small = image(tmp_path / "small.jpg", (1400, 1400), "JPEG")
    assert cover_for_id3(small) == small.read_bytes()
    with pytest.raises(FeedError, match="square"):
        cover_for_id3(image(tmp_path / "wide.png", (1600, 1400), "PNG"))
