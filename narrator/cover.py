"""Podcast artwork: check an image against the directories' rules, or make a plain cover.

Apple Podcasts and most directories want a square JPEG or PNG of 1400 to 3000 pixels a
side, in RGB, whose file extension matches its format. :func:`check_artwork` reports each
way an image misses that; :func:`generate_cover` draws a clean square cover (the title on
a gradient whose colour comes from the title) so a feed is never without artwork.

Pillow is imported inside the functions that need it.
"""

from __future__ import annotations

import colorsys
import hashlib
import io
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from ._exceptions import FeedError
from ._files import atomic_write_bytes

if TYPE_CHECKING:
    from PIL import Image as PILImage
    from PIL import ImageFont

__all__ = [
    "MAX_SIZE",
    "MIN_SIZE",
    "artwork_extension_problem",
    "artwork_problems",
    "check_artwork",
    "cover_for_id3",
    "generate_cover",
    "mime_type",
]

log = logging.getLogger(__name__)

MIN_SIZE = 1400
"""Smallest side, in pixels, that podcast directories accept."""
MAX_SIZE = 3000
"""Largest side, in pixels, that podcast directories accept."""

_EXTENSIONS = {"JPEG": (".jpg", ".jpeg"), "PNG": (".png",)}
_MIME = {"JPEG": "image/jpeg", "PNG": "image/png"}


def _pillow() -> None:
    try:
        import PIL  # noqa: F401
    except ImportError as exc:  # pragma: no cover - Pillow is a dependency
        raise FeedError("artwork needs Pillow; install it with: pip install pillow") from exc


def artwork_problems(path: Path) -> list[tuple[str, str]]:
    """Each way ``path`` fails the artwork rules, as ``(code, message)`` pairs.

    Codes: ``artwork-unreadable``, ``artwork-format``, ``artwork-extension``,
    ``artwork-size``, ``artwork-colour``.
    """
    _pillow()
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    try:
        with Image.open(path) as image:
            fmt = image.format or ""
            width, height = image.size
            mode = image.mode
    except FileNotFoundError:
        return [("artwork-unreadable", f"artwork {path} does not exist; check the image path.")]
    except (UnidentifiedImageError, OSError) as exc:
        return [("artwork-unreadable", f"artwork {path} is not an image Pillow can read ({exc}).")]
    problems: list[tuple[str, str]] = []
    if fmt not in _EXTENSIONS:
        problems.append(
            ("artwork-format", f"artwork {path.name} is {fmt or 'unknown'}; save it as JPEG or PNG.")
        )
    elif path.suffix.lower() not in _EXTENSIONS[fmt]:
        problems.append(
            (
                "artwork-extension",
                f"artwork {path.name} is a {fmt} file but named {path.suffix or '(no extension)'}; "
                f"rename it to {path.stem}{_EXTENSIONS[fmt][0]}.",
            )
        )
    if width != height:
        problems.append(("artwork-size", f"artwork {path.name} is {width}x{height}; it must be square."))
    if not MIN_SIZE <= max(width, height) <= MAX_SIZE or not MIN_SIZE <= min(width, height) <= MAX_SIZE:
        problems.append(
            (
                "artwork-size",
                f"artwork {path.name} is {width}x{height} px; use {MIN_SIZE} to {MAX_SIZE} px a side.",
            )
        )
    if mode in ("CMYK", "YCbCr", "LAB", "I;16"):
        problems.append(("artwork-colour", f"artwork {path.name} is in {mode}; convert it to RGB."))
    return problems


def check_artwork(path: Path) -> list[str]:
    """Every reason a podcast directory would reject ``path`` as artwork; empty when fine."""
    return [message for _, message in artwork_problems(path)]


def artwork_extension_problem(name: str) -> str | None:
    """Why a file name alone cannot be artwork (not ``.jpg``, ``.jpeg`` or ``.png``), or None."""
    suffix = Path(name).suffix.lower()
    if suffix in (".jpg", ".jpeg", ".png"):
        return None
    return f"artwork {name} has extension {suffix or '(none)'}; use a .jpg or .png image."


def _colours(title: str) -> tuple[tuple[int, int, int], tuple[int, int, int], tuple[int, int, int]]:
    """Top and bottom gradient colours and a text colour, all from the title's digest."""
    digest = hashlib.sha256(title.strip().casefold().encode("utf-8")).digest()
    hue = digest[0] / 255
    shift = (digest[1] / 255 - 0.5) * 0.12
    top = colorsys.hls_to_rgb(hue, 0.42, 0.55)
    bottom = colorsys.hls_to_rgb((hue + shift) % 1.0, 0.24, 0.60)

    def rgb(c: tuple[float, float, float]) -> tuple[int, int, int]:
        return (round(c[0] * 255), round(c[1] * 255), round(c[2] * 255))

    return rgb(top), rgb(bottom), (255, 255, 255)


def _wrap(draw: object, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if not line or draw.textlength(candidate, font=font) <= width:  # type: ignore[attr-defined]
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def generate_cover(title: str, out: Path, size: int = MIN_SIZE) -> Path:
    """Draw a square cover, ``size`` px a side, with ``title`` on a colour picked from it.

    The design is deterministic: the same title gives the same image, byte for byte, so a
    rebuilt feed does not see a changed cover. Written atomically as PNG (``.png``) or
    JPEG (``.jpg``/``.jpeg``) according to ``out``'s extension.
    """
    _pillow()
    from PIL import Image, ImageDraw, ImageFont

    out = Path(out)
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise FeedError(
            f"cover size {size} px is outside {MIN_SIZE}–{MAX_SIZE}; choose a size in that range."
        )
    suffix = out.suffix.lower()
    if suffix not in (".png", ".jpg", ".jpeg"):
        raise FeedError(f"cover {out.name} must end in .png, .jpg or .jpeg.")
    text = " ".join(title.split()) or "Podcast"
    top, bottom, ink = _colours(text)

    gradient = Image.linear_gradient("L").resize((size, size))
    image = Image.composite(
        Image.new("RGB", (size, size), bottom), Image.new("RGB", (size, size), top), gradient
    )
    draw = ImageDraw.Draw(image)
    margin = size // 10
    box = size - 2 * margin

    font_size = size // 8
    while True:
        font = ImageFont.load_default(size=font_size)
        if not isinstance(font, ImageFont.FreeTypeFont):  # pragma: no cover - Pillow without FreeType
            log.warning("Pillow has no FreeType support; the cover's title is drawn in a small bitmap font")
            draw.multiline_text((margin, margin), text, fill=ink, font=font)
            break
        lines = _wrap(draw, text, font, box)
        spacing = font_size // 4
        widest = max(draw.textlength(line, font=font) for line in lines)
        bbox = draw.multiline_textbbox((0, 0), "\n".join(lines), font=font, spacing=spacing)
        if (widest <= box and bbox[3] - bbox[1] <= box * 0.8) or font_size <= size // 40:
            height = bbox[3] - bbox[1]
            y = (size - height) // 2 - bbox[1]
            draw.multiline_text((margin, y), "\n".join(lines), fill=ink, font=font, spacing=spacing)
            band = max(size // 120, 4)
            draw.rectangle((margin, y - spacing * 3 - band, margin + size // 6, y - spacing * 3), fill=ink)
            break
        font_size = int(font_size * 0.9)

    buffer = io.BytesIO()
    if suffix == ".png":
        image.save(buffer, format="PNG", optimize=False)
    else:
        image.save(buffer, format="JPEG", quality=92)
    data = buffer.getvalue()
    if not (out.exists() and out.read_bytes() == data):
        atomic_write_bytes(out, data)
    log.info("generated cover %s (%d px) for %r", out, size, text)
    return out


def _open(path: Path) -> PILImage.Image:
    from PIL import Image

    return Image.open(path)


def cover_for_id3(path: Path, max_size: int = MIN_SIZE) -> bytes:
    """The bytes to embed as the MP3's APIC front cover, from the artwork at ``path``.

    Raises :class:`FeedError` when the image breaks the artwork rules. A JPEG no larger
    than ``max_size`` px is embedded as is; anything else is scaled to ``max_size`` and
    re-encoded as JPEG, to keep the MP3 small.
    """
    path = Path(path)
    problems = check_artwork(path)
    if problems:
        raise FeedError("; ".join(problems))
    with _open(path) as image:
        if image.format == "JPEG" and image.size[0] <= max_size:
            return path.read_bytes()
        scaled = image.convert("RGB").resize((max_size, max_size))
    buffer = io.BytesIO()
    scaled.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def mime_type(path: Path) -> str:
    """``image/jpeg`` or ``image/png`` for an artwork file, by its content."""
    with _open(Path(path)) as image:
        return _MIME.get(image.format or "", "application/octet-stream")
