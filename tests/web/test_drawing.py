"""The font that images are drawn with has every Vietnamese letter (web/drawing.py)."""
import unicodedata

import pytest
from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw

from web.drawing import FONT_FILES, clean, fit, font

VOWELS = "aăâeêioôơuưy"
TONES = ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")  # ngang, huyền, sắc, ngã, hỏi, nặng
CONSONANTS = "bcdđghklmnpqrstvx"


def vietnamese_letters() -> list[str]:
    """Every letter of Vietnamese, lower and upper case, each one precomposed character."""
    letters = set(CONSONANTS)
    for v in VOWELS:
        for tone in TONES:
            letter = unicodedata.normalize("NFC", v + tone)
            assert len(letter) == 1, (v, tone)
            letters.add(letter)
    return sorted(letters | {c.upper() for c in letters})


def test_every_vietnamese_letter_has_a_glyph():
    letters = vietnamese_letters()
    assert len(letters) == 2 * (12 * 6 + 17)  # 178 letters
    for weight, path in FONT_FILES.items():
        cmap = TTFont(path).getBestCmap()
        missing = [c for c in letters if ord(c) not in cmap]
        assert missing == [], (weight, missing)


@pytest.mark.parametrize("weight", sorted(FONT_FILES))
def test_letters_are_drawn_not_replaced_by_a_box(weight):
    """Each tone mark changes what is drawn: no letter falls back to the same glyph."""
    face = font(40, weight)

    def pixels(text):
        image = Image.new("L", (80, 80), 0)
        ImageDraw.Draw(image).text((10, 10), text, font=face, fill=255)
        return image.tobytes()

    for v in VOWELS + VOWELS.upper():
        drawn = {pixels(unicodedata.normalize("NFC", v + tone)) for tone in TONES}
        assert len(drawn) == len(TONES), v


def test_text_is_normalised_and_cut_to_fit():
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")
    assert clean(decomposed) == "Nguyễn Thị Ánh"
    draw = ImageDraw.Draw(Image.new("RGB", (10, 10)))
    face = font(20)
    assert fit(draw, "Nguyễn Thị Ánh", face, 1000) == "Nguyễn Thị Ánh"
    short = fit(draw, "Trường Trung học cơ sở Thị trấn Tân Uyên", face, 150)
    assert short.endswith("…") and draw.textlength(short, font=face) <= 150


def test_text_wraps_into_lines_that_fit():
    from web.drawing import wrap

    draw = ImageDraw.Draw(Image.new("RGB", (10, 10)))
    face = font(24)
    lines = wrap(draw, "Đảng viên tiên phong trong phong trào Bình dân học vụ số", face, 220, 2)
    assert len(lines) == 2 and lines[1].endswith("…")
    assert all(draw.textlength(line, font=face) <= 220 for line in lines)
    assert wrap(draw, "Công dân số", face, 400, 2) == ["Công dân số"]
    assert wrap(draw, "", face, 400, 2) == []
