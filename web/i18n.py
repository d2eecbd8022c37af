"""Translatable messages that are created away from a request (import workers, CLI) and
rendered later in the user's language."""
from dataclasses import dataclass, field


def N_(msgid: str) -> str:
    """Mark a string for extraction without translating it now."""
    return msgid


@dataclass(frozen=True)
class Message:
    msgid: str
    params: dict = field(default_factory=dict)

    def render(self) -> str:
        from flask import has_app_context

        if not has_app_context():
            return self.msgid % self.params if self.params else self.msgid
        from flask_babel import gettext

        return gettext(self.msgid, **self.params)

    def __str__(self) -> str:
        return self.render()
