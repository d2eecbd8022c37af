"""Files the application keeps on disk (reports, share and badge images, import jobs):
every path built from data (a campaign's code, a job's id, a file's name) goes through
``safe_path``, so that no value, however it was typed, leads outside its folder."""
from pathlib import Path


class UnsafePath(ValueError):
    """A path built from data that would leave its folder (``..``, an absolute part, a link)."""
def safe_path(base, *parts) -> Path:
    """``base`` joined with ``parts``, resolved; ``UnsafePath`` unless it is inside ``base``
    (or ``base`` itself). Each part is one name or a relative path below the last."""
    root = Path(base).resolve()
    for part in parts:
        text = str(part)
        if not text or "\0" in text or Path(text).is_absolute():
            raise UnsafePath(f"{text!r}: not a name inside {root}")
    path = root.joinpath(*map(str, parts)).resolve()
    if path != root and root not in path.parents:
        raise UnsafePath(f"{'/'.join(map(str, parts))!r} leads outside {root}")
    return path
