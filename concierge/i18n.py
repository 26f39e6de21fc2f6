"""Text the system writes for people to read later, stored as a code plus parameters.

An alert or a task's reason is read by whoever opens the page, in their own language, possibly
days after it was written. So it is stored as its English source string (the msgid, which the
catalogue translates) and the values to fill in, and rendered when shown:

    message = Message(gettext_noop("%(actor)s asks you to look after %(member)s."),
                      actor=str(actor), member=member.name)
    row.message = message.to_json()          # a JSONField
    Message.from_json(row.message).render()  # in the active language

Parameter values are plain JSON (names as text, numbers, dates as ISO text), or values that need
translating themselves: a nested Message (a state's or a kind's label, a festival's name), made
with `Message.label(...)` from a lazily translated label, and a list of them, joined with "; ".
Plural wording stores the count and both msgids: `Message.counted(ngettext_lazy(singular, plural),
n, ...)` (written so, makemessages finds the pair as one plural entry).
"""

from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext, pgettext

__all__ = ["Message", "render_stored"]


class Message:
    def __init__(self, msgid, /, **params):
        if isinstance(msgid, Promise):
            msgid = _msgid_of(msgid)
        if not isinstance(msgid, str):
            raise TypeError(f"a message's msgid is its English source text, not {type(msgid).__name__}")
        self.msgid = msgid
        self.plural = None
        self.count = None
        self.params = {name: _encode(value) for name, value in params.items()}

    @classmethod
    def label(cls, lazy_text):
        """A term translated on its own when shown: a choice's label, a festival's name."""
        return cls(_msgid_of(lazy_text))

    @classmethod
    def counted(cls, lazy_plural, count, **params):
        """A message in singular and plural forms, chosen by `count` when rendered."""
        kw = getattr(lazy_plural, "_kw", None) or {}
        if not isinstance(lazy_plural, Promise) or "singular" not in kw or "plural" not in kw:
            raise TypeError("expected ngettext_lazy(singular, plural)")
        message = cls(kw["singular"], **params)
        message.plural = kw["plural"]
        message.count = int(count)
        return message

    def render(self):
        """The text in the active language; a catalogue that lacks a parameter never raises."""
        if self.plural is not None:
            template = ngettext(self.msgid, self.plural, self.count)
        else:
            template = gettext(self.msgid)
        values = {name: _decode(value) for name, value in self.params.items()}
        if self.count is not None:
            values.setdefault("count", self.count)
        if not values:
            return template
        try:
            return template % values
        except (KeyError, TypeError, ValueError):
            try:
                return self.msgid % values
            except (KeyError, TypeError, ValueError):
                return self.msgid

    __str__ = render

    def __repr__(self):
        return f"Message({self.msgid!r}, {self.params!r})"

    def __eq__(self, other):
        return isinstance(other, Message) and self.to_json() == other.to_json()

    def __hash__(self):
        return hash(self.msgid)

    def to_json(self):
        data = {"id": self.msgid}
        if self.plural is not None:
            data.update(plural=self.plural, count=self.count)
        if self.params:
            data["params"] = self.params
        return data

    @classmethod
    def from_json(cls, data):
        message = cls.__new__(cls)
        message.msgid = data["id"]
        message.plural = data.get("plural")
        message.count = data.get("count")
        message.params = data.get("params", {})
        return message


def render_stored(data, fallback=""):
    """Render a stored message (a dict from to_json) in the active language, else the fallback text."""
    if not data:
        return fallback
    try:
        return Message.from_json(data).render()
    except (KeyError, TypeError, AttributeError):
        return fallback


def _msgid_of(lazy_text):
    # gettext_lazy keeps the source string as the proxy's only argument.
    args = getattr(lazy_text, "_args", None)
    if not isinstance(lazy_text, Promise) or not args or len(args) != 1 or not isinstance(args[0], str):
        raise TypeError("expected a gettext_lazy text")
    return args[0]


def _encode(value):
    if isinstance(value, Message):
        return {"message": value.to_json()}
    if isinstance(value, Promise):
        return {"message": Message.label(value).to_json()}
    if isinstance(value, (list, tuple)):
        return {"list": [_encode(item) for item in value]}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    # Names, dates, decimals: fixed as text when written (a member's name is no one's translation).
    return str(value)


def list_separator():
    """Between the items of a list in running text: "; " in English, a full-width semicolon in Chinese."""
    # Translators: put between the items of a list in a sentence, spaces included.
    return pgettext("list separator", "; ")


def _decode(value):
    if isinstance(value, dict):
        if "message" in value:
            return Message.from_json(value["message"]).render()
        if "list" in value:
            return list_separator().join(str(_decode(item)) for item in value["list"])
    return value
