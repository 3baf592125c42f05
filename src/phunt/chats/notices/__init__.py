"""WhatsApp's system notices, media markers and export names as data, one table per language.

The tables (``en.py``, ``pt.py``, …; shape in :mod:`.table`) say what the app writes and
where each wording was seen; this module compiles them once into the matchers the text
parser uses. A line that looks like a notice but matches no phrase is not guessed at: the
parser keeps it as an ``unrecognised-notice`` record with its text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from phunt.chats.notices import de, en, es, fr, id, india, it, nl, pt, ru
from phunt.chats.notices.table import NOTICE_KINDS, Language, Phrase

LANGUAGES: tuple[Language, ...] = (
    en.LANGUAGE,
    pt.LANGUAGE,
    es.LANGUAGE,
    de.LANGUAGE,
    fr.LANGUAGE,
    it.LANGUAGE,
    id.LANGUAGE,
    ru.LANGUAGE,
    india.HINDI,
    india.MALAYALAM,
    india.TAMIL,
    nl.LANGUAGE,
)
QUOTES = str.maketrans("\u201c\u201d\u201e\u201f\u00ab\u00bb\u2018\u2019", '""""""\'\'')
_SLOTS = {
    "actor": r"(?P<actor>[^:]+?)",
    "targets": r"(?P<targets>.+?)",
    "subject": r"(?P<subject>.*?)",
    "old": r"(?:.*?)",
    "file": r"(?P<file>.+?)",
}
_SLOT = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True, slots=True)
class Notice:
    """A matched notice: its kind, the names it gives, and the table row it matched."""

    kind: str
    actor: str | None
    targets: str | None
    subject: str | None
    by_owner: bool
    to_owner: bool
    language: str
    phrase: Phrase


def _pattern(text: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    parts, last = [], 0
    folded = text.translate(QUOTES)
    for m in _SLOT.finditer(folded):
        parts += [re.escape(folded[last : m.start()]), _SLOTS[m[1]]]
        last = m.end()
    parts.append(re.escape(folded[last:]))
    return re.compile("^" + "".join(parts).rstrip(r"\.") + r"\.?$", flags)


def _first_word(text: str) -> str:
    """The first fixed word of a phrase ("created" in "{actor} created group ..."): the
    cheap pre-filter for lines that look like a person's message."""
    fixed = " ".join(_SLOT.split(text.translate(QUOTES))[::2])
    return fixed.split()[0].casefold()


def _compile() -> list[tuple[re.Pattern[str], str, Phrase]]:
    out = []
    for language in LANGUAGES:
        for phrase in language.notices:
            base = phrase.kind.removeprefix("you:").removesuffix(":you")
            if base not in NOTICE_KINDS:
                raise ValueError(f"unknown notice kind {phrase.kind!r} ({language.code})")
            out.append((_pattern(phrase.text), language.code, phrase))
    return out


_NOTICES = _compile()
_HINT = frozenset(_first_word(p.text) for _, _, p in _NOTICES)
_GROUP_PREFIXES = tuple(_SLOT.split(p.text)[0] for _, _, p in _NOTICES if p.kind == "encryption")


def match_notice(text: str) -> Notice | None:
    """The notice ``text`` (a line's body, marks removed) states, or None."""
    folded = text.translate(QUOTES)
    for pattern, code, phrase in _NOTICES:
        m = pattern.match(folded)
        if m is None:
            continue
        groups = m.groupdict()
        kind = phrase.kind.removeprefix("you:").removesuffix(":you")
        return Notice(
            kind,
            groups.get("actor"),
            groups.get("targets"),
            groups.get("subject"),
            phrase.kind.startswith("you:"),
            phrase.kind.endswith(":you"),
            code,
            phrase,
        )
    return None


def may_be_notice(text: str) -> bool:
    """Cheap test: does ``text`` hold any notice's fixed words (a pre-filter, not a match)?"""
    return not _HINT.isdisjoint(text.casefold().split())


def chat_notice_prefixes() -> tuple[str, ...]:
    """How notices that exports attribute to the chat itself begin (the encryption ones:
    ``Pokemon Chat: Messages and calls are end-to-end encrypted…``)."""
    return _GROUP_PREFIXES


def _markers(kind: str) -> list[str]:
    return [p.text for lang in LANGUAGES for p in lang.attached if p.kind == kind]


_OMITTED_EXACT = frozenset(
    p.text.casefold() for lang in LANGUAGES for p in lang.omitted if "{" not in p.text
)
_OMITTED_FILE = [_pattern(p.text) for lang in LANGUAGES for p in lang.omitted if "{" in p.text]
_OMITTED_ENDS = tuple(
    p.text.rpartition("}")[2] for lang in LANGUAGES for p in lang.omitted if "{" in p.text
)
ANDROID_FILE = re.compile(
    r"^(?P<file>[^\n()]+?\.\w{1,5}) \([^()]*?(?:"
    + "|".join(map(re.escape, _markers("android")))
    + r")[^()]*\)$"
)
IOS_FILE = re.compile(
    r"<(?:"
    + "|".join(map(re.escape, _markers("ios")))
    + r"): (?P<file>[^>\n]+)>$|^(?P<old>\S+) <attached>$"
)
_DELETED = {p.text.casefold(): p.kind for lang in LANGUAGES for p in lang.deleted}
_EXPORT_NAMES = [_pattern(p.text, 0) for lang in LANGUAGES for p in lang.export_names]
YOU = frozenset(name.casefold() for lang in LANGUAGES for name in lang.you)


def omitted(text: str) -> bool:
    """True when a message's first line stands for media the export left out."""
    if len(text) < 40 and text.casefold() in _OMITTED_EXACT:
        return True
    return text.endswith(_OMITTED_ENDS) and any(p.match(text) for p in _OMITTED_FILE)


def deleted(text: str) -> str | None:
    """``deleted`` or ``you_deleted`` when ``text`` is a deleted message's stand-in."""
    return _DELETED.get(text.rstrip(".").casefold())


def export_title(name: str) -> str | None:
    """The chat's name from an export's file name (``WhatsApp Chat with X.txt`` …)."""
    stem = re.sub(r"(?i)\.(?:txt|zip)$", "", name)
    for pattern in _EXPORT_NAMES:
        m = pattern.match(stem)
        if m and m["subject"]:
            return m["subject"]
    return None
