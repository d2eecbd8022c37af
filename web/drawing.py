"""Text drawn into images (share images of the boards, badges) with Pillow.

The typeface is Be Vietnam Pro (SIL Open Font License), designed for Vietnamese. It is
installed by the project's own install step as a Python package (``fontpkg-be-vietnam-pro``
in pyproject.toml), so no system font is needed; tests/web/test_drawing.py checks that it has
a glyph for every Vietnamese letter. Text is put in NFC first: every Vietnamese letter has
a precomposed form, and a name typed with combining marks (NFD, as some phones send it)
then draws the same.
"""
import io
import os
import tempfile
import unicodedata
from functools import lru_cache
from pathlib import Path

from fontpkg_be_vietnam_pro import ROOT as _FONT_ROOT
from PIL import ImageDraw, ImageFont

from .storage import safe_path

FONT_FILES = {
    "regular": _FONT_ROOT / "files" / "BeVietnamPro-Regular.ttf",
    "bold": _FONT_ROOT / "files" / "BeVietnamPro-Bold.ttf",
}
ELLIPSIS = "…"


def font_path(weight: str = "regular") -> Path:
    return FONT_FILES[weight]


@lru_cache(maxsize=64)
def font(size: int, weight: str = "regular") -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_FILES[weight]), size)


def clean(text) -> str:
    return unicodedata.normalize("NFC", str(text or ""))


def fit(draw: ImageDraw.ImageDraw, text, face: ImageFont.FreeTypeFont, width: float) -> str:
    """``text`` in NFC, cut with an ellipsis to fit ``width`` pixels."""
    text = clean(text)
    if draw.textlength(text, font=face) <= width:
        return text
    while text and draw.textlength(text + ELLIPSIS, font=face) > width:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS


def largest_fitting(draw: ImageDraw.ImageDraw, text, sizes, width: float, weight: str = "regular"):
    """The face of the largest of ``sizes`` at which ``text`` (in NFC) fits ``width``
    pixels whole, or None when it fits at none: for text that must never be cut (a code
    someone types back)."""
    text = clean(text)
    for size in sorted(sizes, reverse=True):
        face = font(size, weight)
        if draw.textlength(text, font=face) <= width:
            return face
    return None


def wrap(draw: ImageDraw.ImageDraw, text, face: ImageFont.FreeTypeFont, width: float, max_lines: int) -> list[str]:
    """``text`` in NFC broken into at most ``max_lines`` lines of ``width`` pixels, word by
    word; what does not fit ends the last line with an ellipsis."""
    words = clean(text).split()
    lines: list[str] = []
    current = ""
    for i, word in enumerate(words):
        trial = f"{current} {word}".strip()
        if draw.textlength(trial, font=face) <= width or not current:
            current = trial
            continue
        lines.append(current)
        current = word
        if len(lines) == max_lines - 1:
            current = " ".join(words[i:])
            break
    if current:
        lines.append(current)
    return [fit(draw, line, face, width) for line in lines[:max_lines]]


def cached_file(folder: Path, name: str, make) -> Path:
    """``folder/name``, written with the bytes ``make()`` returns unless it is there already.
    Images are named by a hash of what they show, so a file on disk is never stale. It is
    written under another name and renamed: a reader never sees half a file, and two workers
    drawing the same image at once both end with a whole one. ``name`` never leads out of
    ``folder`` (storage.safe_path)."""
    path = safe_path(folder, name)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(make())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return path


def png_bytes(image, pnginfo=None) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True, pnginfo=pnginfo)
    return out.getvalue()
