"""Sharing a public page: plain share links for Zalo and Facebook (their addresses only: no
script of theirs runs on our pages, and nothing is sent to them until a visitor clicks),
and a QR code of a page's address for the printed board (inline SVG: no request, and the
Content-Security-Policy stays ``img-src 'self' data:``)."""
from functools import lru_cache
from urllib.parse import urlencode

import segno
from markupsafe import Markup

FACEBOOK = "https://www.facebook.com/sharer/sharer.php"
# Zalo's share dialog for a link, opened by address (its social plugin would need its script).
ZALO = "https://sp.zalo.me/share_inline"


def share_links(url: str) -> list[tuple[str, str]]:
    """(network, address of its share dialog for ``url``), for plain links."""
    return [("Zalo", f"{ZALO}?{urlencode({'url': url})}"), ("Facebook", f"{FACEBOOK}?{urlencode({'u': url})}")]


@lru_cache(maxsize=512)
def qr_svg(url: str) -> Markup:
    """The QR code of ``url`` as an inline SVG (black on white, a quiet zone of two
    modules, error correction M: a notice board's paper gets creased). It is decorative
    for assistive technology: the page prints the address beside it."""
    svg = segno.make(url, error="m").svg_inline(scale=4, border=2, dark="#000", light="#fff", svgclass="qr",
                                                     omitsize=True)  # a viewBox: the page decides its size
    return Markup(svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1))
