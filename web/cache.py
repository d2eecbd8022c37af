"""The page cache of frozen public pages (one per process)."""
from collections import OrderedDict
from threading import Event, Lock

from flask import current_app


class PageCache:
    """Rendered public pages by key (least recently used out first), per process. For pages
    whose content is frozen, such as a publication's boards: the key must hold everything
    the page depends on. A page asked for again while it is being drawn is drawn once: the
    later requests wait for the first (a popular page just published, or a server just
    started, would otherwise be drawn by every thread at once)."""
    def __init__(self, size: int = 1024):
        self.size = size
        self._pages: "OrderedDict[tuple, str]" = OrderedDict()
        self._drawing: dict[tuple, Event] = {}
        self._lock = Lock()

    def get_or_render(self, key: tuple, render) -> str:
        while True:
            with self._lock:
                html = self._pages.get(key)
                if html is not None:
                    self._pages.move_to_end(key)
                    return html
                drawing = self._drawing.get(key)
                if drawing is None:
                    self._drawing[key] = Event()
                    break  # this thread draws it
            # Another thread is drawing it: wait, then take its page (or, if that drawing
            # failed, draw it here).
            if not drawing.wait(timeout=60):
                return render()
        try:
            html = render()
            with self._lock:
                self._pages[key] = html
                while len(self._pages) > self.size:
                    self._pages.popitem(last=False)
        finally:
            with self._lock:
                self._drawing.pop(key).set()
        return html


def page_cache() -> PageCache:
    """The application's page cache (one per app)."""
    return current_app.extensions.setdefault("page_cache", PageCache())
