"""A recipient's badge image carries their personal code whole, inside the ring, for every
code the alphabet can make (a family types it back into /p)."""
import math
from itertools import product

import pytest
from PIL import Image, ImageDraw

from badges import images
from badges.awarding import _CROCKFORD, CODE_LENGTH, display_code, normalise_code
from web.drawing import font


def widest_code(size: int = 100) -> str:
    """The widest display code ("XXXX-XXXX-XXXX") in the badge's bold face: each character
    drawn alone, plus the kerning of each pair beside it (what Pillow's layout adds for two
    characters side by side), maximised over every code by dynamic programming."""
    d = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    face = font(size, "bold")
    width = {c: d.textlength(c, font=face) for c in _CROCKFORD + "-"}
    kern = {(a, b): d.textlength(a + b, font=face) - width[a] - width[b]
            for a, b in product(_CROCKFORD + "-", repeat=2)}
    slots = list(display_code("X" * CODE_LENGTH))  # "-" where the dashes go
    best = {c: (width[c], c) for c in (_CROCKFORD if slots[0] != "-" else "-")}
    for slot in slots[1:]:
        choices = "-" if slot == "-" else _CROCKFORD
        best = {c: max((w + kern[prev[-1], c] + width[c], prev + c) for w, prev in best.values())
                for c in choices}
    code = max(best.values())[1]
    # The model is the layout's own: the whole string measures what the sum says.
    assert math.isclose(d.textlength(code, font=face), max(best.values())[0], abs_tol=1)
    return code


def drawn_texts(monkeypatch, art) -> list[tuple]:
    """(xy, text, font, anchor) of every text drawn on ``art``'s image."""
    calls = []
    real = ImageDraw.ImageDraw.text

    def text(self, xy, text, *args, **kw):
        calls.append((xy, text, kw.get("font"), kw.get("anchor")))
        return real(self, xy, text, *args, **kw)

    monkeypatch.setattr(ImageDraw.ImageDraw, "text", text)
    images.draw(art)
    return calls


def inside_ring(box) -> bool:
    left, top, right, bottom = box
    centre = images.SIZE / 2
    return all(math.hypot(x - centre, y - centre) <= images.RING_RADIUS
               for x, y in ((left, top), (right, top), (left, bottom), (right, bottom)))


def test_the_widest_code_is_made_of_wide_letters():
    code = widest_code()
    assert len(code) == 14 and code == display_code(normalise_code(code))
    assert set(code.replace("-", "")) <= {"W", "M"}  # Be Vietnam Pro's widest capitals


@pytest.mark.parametrize("label", ["Mã %s", "Code %s"])  # as the two languages word it
@pytest.mark.parametrize("name, recipient", [
    ("Công dân số", "Nguyễn V. A."),
    ("Đảng viên tiên phong", "Gia đình Hoàng Thị Mỹ Hạnh Nguyễn Ngọc"),  # two lines each
])
def test_every_code_fits_whole_inside_the_ring(monkeypatch, label, name, recipient):
    code = widest_code()
    art = images.BadgeArt(name, "#0B5345", "Bình dân học vụ số 2025", recipient, "ngày 31/12/2025",
                          code=label % code)
    calls = drawn_texts(monkeypatch, art)
    shown = [c for c in calls if code in c[1]]
    assert len(shown) == 1, [c[1] for c in calls]  # drawn once, whole: no "…" cut it
    xy, text, face, anchor = shown[0]
    assert "…" not in text and text.endswith(code)
    d = ImageDraw.Draw(Image.new("RGB", (images.SIZE, images.SIZE)))
    box = d.textbbox(xy, text, font=face, anchor=anchor)
    assert inside_ring(box), box
    assert face.size >= 14  # still readable on a printed badge
    # Below every other line: nothing is drawn over it.
    for other_xy, other, other_face, other_anchor in calls:
        if other != text:
            assert d.textbbox(other_xy, other, font=other_face, anchor=other_anchor)[3] < box[1], other


def test_a_short_code_keeps_the_largest_size(monkeypatch):
    art = images.BadgeArt("Công dân số", "#0B5345", "Bình dân học vụ số 2025", "Lò T. B.", "ngày 05/05/2025",
                          code="Mã 1111-1111-1111")
    (code_line,) = [c for c in drawn_texts(monkeypatch, art) if "1111" in c[1]]
    assert code_line[2].size == max(images.CODE_SIZES)
