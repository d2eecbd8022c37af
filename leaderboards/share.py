"""A share image of a published board: its top entries as a 1200 × 630 PNG (the size that
social networks show as a link's preview), with Vietnamese text (``drawing``).

Names are masked as on the public pages (the rows come from ``public.board_page``). An
image is drawn once per content: its file name under ``instance/share/`` is a hash of
everything drawn on it, so a publication's image is reused until something shown on it
(a unit's name, the language) changes.
"""
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

from web.drawing import cached_file, clean, fit, font, largest_fitting, png_bytes, wrap

WIDTH, HEIGHT = 1200, 630
TOP = 8  # entries shown
MARGIN = 56
BAND = 150  # height of the title band (with a subtitle of one line)
BAND_TWO_LINES = 176  # … of two lines
SEPARATOR = " · "  # between the campaign's name and the date in the subtitle
ROW = 46
INK = (24, 32, 40)
MUTED = (72, 84, 96)
BRAND = (11, 83, 69)  # dark green; white text on it has a contrast of about 8:1
PALE = (232, 243, 239)
WHITE = (255, 255, 255)
# Bumped when the layout changes, so that images drawn by an older layout are not reused.
LAYOUT_VERSION = 2


@dataclass(frozen=True)
class ShareContent:
    """Everything an image shows, already translated and formatted."""
    title: str
    subtitle: str
    rows: tuple  # (rank, label, detail, figure)
    footer: str

    def digest(self) -> str:
        data = json.dumps([LAYOUT_VERSION, self.title, self.subtitle, self.rows, self.footer], ensure_ascii=False)
        return hashlib.sha256(data.encode("utf-8")).hexdigest()[:32]


def draw(content: ShareContent) -> Image.Image:
    image = Image.new("RGB", (WIDTH, HEIGHT), WHITE)
    d = ImageDraw.Draw(image)
    inner = WIDTH - 2 * MARGIN
    sub_lines, sub_face = subtitle_lines(d, content.subtitle, inner)
    band = BAND if len(sub_lines) == 1 else BAND_TWO_LINES
    d.rectangle((0, 0, WIDTH, band), fill=BRAND)
    title_face = font(46, "bold")
    d.text((MARGIN, 34), fit(d, content.title, title_face, inner), font=title_face, fill=WHITE)
    for i, line in enumerate(sub_lines):
        d.text((MARGIN, 98 + i * 32), line, font=sub_face, fill=WHITE)

    rank_face, label_face, detail_face, figure_face = font(28, "bold"), font(28, "bold"), font(22), font(28, "bold")
    y = band + 22 - (band - BAND) // 2  # a taller band takes some of the room above the rows
    figure_width = 210
    for i, (rank, label, detail, figure) in enumerate(content.rows):
        if i % 2 == 0:
            d.rectangle((MARGIN - 16, y - 6, WIDTH - MARGIN + 16, y + ROW - 6), fill=PALE)
        d.text((MARGIN + 48, y + 2), clean(rank), font=rank_face, fill=BRAND, anchor="ra")
        text_x = MARGIN + 72
        room = WIDTH - MARGIN - figure_width - text_x
        label = fit(d, label, label_face, room * (0.55 if detail else 1))
        d.text((text_x, y + 2), label, font=label_face, fill=INK)
        if detail:
            detail_x = text_x + d.textlength(label, font=label_face) + 16
            d.text((detail_x, y + 8), fit(d, detail, detail_face, text_x + room - detail_x), font=detail_face,
                   fill=MUTED)
        d.text((WIDTH - MARGIN, y + 2), clean(figure), font=figure_face, fill=INK, anchor="ra")
        y += ROW
    foot_face = font(20)
    d.text((MARGIN, HEIGHT - 44), fit(d, content.footer, foot_face, inner), font=foot_face, fill=MUTED)
    return image


def subtitle_lines(d: ImageDraw.ImageDraw, text: str, width: float) -> tuple[list[str], object]:
    """The subtitle (the campaign's name, the date) whole: on one line at 26 px when it
    fits, else on two, broken after the campaign's name, at the largest size from 26 to
    18 px that holds both. Only a name too long even for that is wrapped (and then cut)."""
    face = largest_fitting(d, text, [26], width)
    if face is not None:
        return [clean(text)], face
    parts = clean(text).rsplit(SEPARATOR, 1)  # the date never holds the separator
    if len(parts) == 2:
        parts[1] = parts[1][:1].upper() + parts[1][1:]  # a line of its own starts as a sentence
        for size in range(26, 17, -1):
            face = font(size)
            if all(d.textlength(part, font=face) <= width for part in parts):
                return parts, face
    face = font(20)
    return wrap(d, text, face, width, 2), face


def share_png(content: ShareContent, cache_dir: Path) -> tuple[Path, str]:
    """The PNG file of ``content`` (drawn unless already on disk) and its digest."""
    digest = content.digest()
    return cached_file(cache_dir, f"{digest}.png", lambda: png_bytes(draw(content))), digest


def content_for(campaign, publication, board: str, bracket: str | None, scope, rows) -> ShareContent:
    """What the image of a board's first page shows, in the request's language."""
    from flask_babel import gettext as _

    from emulation.labels import UNIT_KIND_NAMES
    from web.formatting import format_day, format_num, format_pct

    names = {"units": _("Units"), "households": _("Digital families"), "people": _("People")}
    # Every text through the catalog whole (pybabel does not read inside f-strings).
    title = _("Leaderboard: %(board)s", board=names[board])
    if board == "units" and bracket:
        title += f" ({UNIT_KIND_NAMES.get(bracket, bracket)})"
    if scope is not None:
        title += f" — {scope.name}"
    published = _("published as of %(day)s", day=format_day(publication.as_of))
    subtitle = f"{campaign.name}{SEPARATOR}{published}"
    shown = []
    for r in rows[:TOP]:
        if board == "units":
            shown.append((format_num(r.rank), r.label, "", format_pct(r.share)))
        else:
            shown.append((format_num(r.rank), r.label, r.unit_name, _("%(n)s points", n=format_num(r.points))))
    return ShareContent(title, subtitle, tuple(shown), _footer())


def _footer() -> str:
    from flask_babel import gettext as _

    return SEPARATOR.join((_("Thi Đua Số"), _("Bình dân học vụ số, Lai Châu")))


def gains_content_for(campaign, publication, period: str, window, board: str, bracket: str | None,
                      rows) -> ShareContent:
    """What the image of a "most improved" board shows (``improved.Gain`` rows): what each
    entry gained inside the publication's week or month."""
    from flask_babel import gettext as _

    from emulation.labels import UNIT_KIND_NAMES
    from web.formatting import format_day, format_num, format_pct

    titles = {
        ("week", "units"): _("Most improved this week: units"),
        ("week", "households"): _("Most improved this week: families"),
        ("week", "people"): _("Most improved this week: people"),
        ("month", "units"): _("Most improved this month: units"),
        ("month", "households"): _("Most improved this month: families"),
        ("month", "people"): _("Most improved this month: people"),
    }
    title = titles[period, board]
    if board == "units" and bracket:
        title += f" ({UNIT_KIND_NAMES.get(bracket, bracket)})"
    days = _("from %(first)s to %(last)s", first=format_day(window[0]), last=format_day(window[1]))
    subtitle = f"{campaign.name}{SEPARATOR}{days}"
    shown = []
    for r in rows[:TOP]:
        if board == "units":
            shown.append((format_num(r.rank), r.label, "", "+" + format_pct(r.coverage_gained)))
        else:
            shown.append((format_num(r.rank), r.label, r.unit_name,
                          _("+%(n)s points", n=format_num(r.gained))))
    return ShareContent(title, subtitle, tuple(shown), _footer())
