"""Badge images (Pillow): one per class and tier, one per recipient, and the recipient's
copy baked with its Open Badges assertion.

Every image is drawn once per content (``drawing.cached_file``): its file under the images
folder is named by a hash of everything drawn on it (and, for a baked copy, of the
assertion it carries), so it is drawn again only when an input changes (a badge renamed,
a date moved).

Baking (Open Badges 2.0, PNG): the assertion JSON in exactly one uncompressed ``iTXt``
chunk with the keyword ``openbadges``. ``read_baked`` reads it back from the bytes
alone, without decoding the picture, so an uploaded file cannot exhaust the server.
"""
import hashlib
import json
import math
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, PngImagePlugin

from web.drawing import cached_file, clean, fit, font, largest_fitting, png_bytes, wrap

SIZE = 600
WHITE = (255, 255, 255)
# Bumped when the layout changes, so that images drawn by an older layout are not reused.
LAYOUT_VERSION = 2
# The white ring inside the tier's disc: the text stays inside it.
RING_INSET, RING_WIDTH = 62, 3
RING_RADIUS = SIZE / 2 - RING_INSET - RING_WIDTH
CODE_Y = 462  # the centre of the personal code's line
CODE_SIZES = range(14, 23)  # the code's type sizes, largest first that fits
CODE_PADDING = 8  # between the code's line and the ring
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
KEYWORD = "openbadges"


@dataclass(frozen=True)
class BadgeArt:
    """What a badge image shows, already formatted."""
    name: str
    colour: str  # #RRGGBB
    heading: str  # the campaign's short line at the top
    recipient: str = ""  # the recipient's copy only
    day: str = ""  # the recipient's copy only: "ngày 05/05/2025"
    footer: str = ""  # the class image only: who issues it
    code: str = ""  # the recipient's copy: the line with the personal code of the progress page

    def digest(self) -> str:
        data = json.dumps([LAYOUT_VERSION, self.name, self.colour, self.heading, self.recipient, self.day,
                           self.footer, self.code],
                          ensure_ascii=False)
        return hashlib.sha256(data.encode("utf-8")).hexdigest()[:32]


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def ring_room(y: float, half_height: float) -> float:
    """How wide a line of text centred at height ``y`` (``half_height`` above and below
    it) may be inside the white ring: the ring's chord at the line's edge farther from the
    centre, less a padding on each side."""
    dy = abs(y - SIZE / 2) + half_height
    return 2 * math.sqrt(max(RING_RADIUS ** 2 - dy ** 2, 0)) - 2 * CODE_PADDING


def draw(art: BadgeArt) -> Image.Image:
    image = Image.new("RGB", (SIZE, SIZE), WHITE)
    d = ImageDraw.Draw(image)
    colour = _rgb(art.colour)
    light = tuple(min(255, c + (255 - c) // 3) for c in colour)
    d.ellipse((20, 20, SIZE - 20, SIZE - 20), fill=light)
    d.ellipse((44, 44, SIZE - 44, SIZE - 44), fill=colour)
    d.ellipse((RING_INSET, RING_INSET, SIZE - RING_INSET, SIZE - RING_INSET), outline=WHITE, width=RING_WIDTH)
    centre = SIZE // 2
    heading = font(22, "bold")
    d.text((centre, 128), fit(d, art.heading.upper(), heading, 330), font=heading, fill=WHITE, anchor="mm")
    name_face = font(54 if not art.recipient else 46, "bold")
    lines = wrap(d, art.name, name_face, 400, 2)
    top = (290 if not art.recipient else 215) - (len(lines) - 1) * 31
    for i, line in enumerate(lines):
        d.text((centre, top + i * 62), line, font=name_face, fill=WHITE, anchor="mm")
    if art.recipient:
        d.line((170, 300, SIZE - 170, 300), fill=WHITE, width=2)
        who = font(32, "bold")
        for i, line in enumerate(wrap(d, art.recipient, who, 380, 2)):
            d.text((centre, 340 + i * 38), line, font=who, fill=WHITE, anchor="mm")
        day = font(24)
        d.text((centre, 422), clean(art.day), font=day, fill=WHITE, anchor="mm")
        if art.code:
            _draw_code(d, art.code)
    else:
        d.line((220, 400, SIZE - 220, 400), fill=WHITE, width=2)
        footer = font(22, "bold")
        d.text((centre, 450), fit(d, art.footer.upper(), footer, 300), font=footer, fill=WHITE, anchor="mm")
    return image


def _draw_code(d: ImageDraw.ImageDraw, line: str) -> None:
    """The line with the personal code ("Mã ABCD-EFGH-JKMN"), whole: a family types it back
    into /p, so it is drawn smaller rather than cut. Should even the smallest size not hold
    the words around it, the code is drawn alone (its last word)."""
    for text in (line, line.split()[-1]):
        for size in sorted(CODE_SIZES, reverse=True):
            face = largest_fitting(d, text, [size], ring_room(CODE_Y, size * 0.6), "bold")
            if face is not None:
                d.text((SIZE // 2, CODE_Y), clean(text), font=face, fill=WHITE, anchor="mm")
                return
    raise ValueError(f"the personal code does not fit on the badge: {line!r}")


def image_file(art: BadgeArt, folder: Path) -> Path:
    """The PNG of ``art`` (a class image, or a recipient's copy without an assertion)."""
    return cached_file(folder, f"{art.digest()}.png", lambda: png_bytes(draw(art)))


def baked_file(art: BadgeArt, assertion: dict, folder: Path) -> Path:
    """The recipient's copy carrying ``assertion`` (Open Badges 2.0 baking)."""
    text = json.dumps(assertion, ensure_ascii=False, sort_keys=True)
    digest = hashlib.sha256(f"{art.digest()}\n{text}".encode("utf-8")).hexdigest()[:32]

    def make() -> bytes:
        base = Image.open(image_file(art, folder))
        info = PngImagePlugin.PngInfo()
        info.add_itxt(KEYWORD, text, zip=False)
        return png_bytes(base, info)

    return cached_file(folder, f"baked-{digest}.png", make)


class NotAPng(ValueError):
    pass


def png_chunks(data: bytes):
    """(type, payload) of every chunk of a PNG, checked against its CRC; NotAPng otherwise."""
    if not data.startswith(PNG_SIGNATURE):
        raise NotAPng("not a PNG file")
    at = len(PNG_SIGNATURE)
    while at < len(data):
        if at + 8 > len(data):
            raise NotAPng("truncated PNG file")
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        payload = data[at + 8:at + 8 + length]
        crc = data[at + 8 + length:at + 12 + length]
        if len(payload) != length or len(crc) != 4 or struct.unpack(">I", crc)[0] != zlib.crc32(kind + payload):
            raise NotAPng("damaged PNG file")
        yield kind.decode("latin-1"), payload
        if kind == b"IEND":
            return
        at += 12 + length
    raise NotAPng("truncated PNG file")


class UnreadableBadge(ValueError):
    """An ``openbadges`` chunk this site cannot read: not UTF-8, not zlib though flagged
    compressed, or larger than any assertion (``MAX_BAKED``; a decompression bomb)."""


MAX_BAKED = 64 * 1024  # an assertion is about a kilobyte


def read_baked(data: bytes) -> str | None:
    """The text of the ``openbadges`` iTXt chunk of a PNG (None if it has none);
    ``UnreadableBadge`` when it is there but cannot be read (never more than ``MAX_BAKED``
    bytes are decompressed)."""
    for kind, payload in png_chunks(data):
        if kind != "iTXt":
            continue
        keyword, _, rest = payload.partition(b"\0")
        if keyword.decode("latin-1") != KEYWORD or len(rest) < 2:
            continue
        compressed, _method = rest[0], rest[1]
        _language, _, rest = rest[2:].partition(b"\0")
        _translated, _, text = rest.partition(b"\0")
        if compressed:
            inflate = zlib.decompressobj()
            try:
                text = inflate.decompress(text, MAX_BAKED + 1)
            except zlib.error:
                raise UnreadableBadge("the openbadges chunk is flagged compressed but is not zlib") from None
        if len(text) > MAX_BAKED:
            raise UnreadableBadge("the openbadges chunk is larger than any assertion")
        try:
            return text.decode("utf-8")
        except UnicodeDecodeError:
            raise UnreadableBadge("the openbadges chunk is not UTF-8") from None
    return None
