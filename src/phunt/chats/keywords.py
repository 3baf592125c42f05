"""A keyword watchlist that flags messages, Unicode-aware for Malayalam and English.

Text and terms are compared after the same normalisation: NFKC (folds compatibility forms
such as full-width letters and ligatures), ``casefold`` (caseless English), removal of the
invisible bidi marks WhatsApp inserts, and removal of ZWJ/ZWNJ (U+200D/U+200C), which
Malayalam keyboards insert or omit inconsistently around chillu letters and conjuncts.

Matching differs by script, on purpose:

* Latin terms match on word boundaries ("meeting" does not hit "meetings"): substrings
  would flood an examiner with false hits in English.
* Malayalam terms match as substrings. Malayalam is agglutinative: case endings and
  postpositions attach to the stem (പണം, പണത്തിന്റെ ...), and its vowel signs are
  combining marks that regular-expression word boundaries treat as breaks inside a word,
  so a boundary rule would both miss inflected forms and split words. Examiners should
  enter the stem.

Regular expressions are applied to the normalised text as given (Python ``re`` syntax);
each hit reports which term or pattern matched and where in the normalised text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from phunt.chats.model import Message
from phunt.errors import UsageError

_DROP = dict.fromkeys(
    map(ord, "\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"),
    None,
)
_MALAYALAM = re.compile(r"[\u0d00-\u0d7f]")
_PATTERN_PREFIX = "re:"


def normalise(text: str) -> str:
    """The form both text and terms take before comparison (see the module docstring)."""
    return unicodedata.normalize("NFKC", text.translate(_DROP)).casefold()


@dataclass(frozen=True, slots=True)
class KeywordHit:
    """One watchlist hit: the term or pattern as configured, and its span in normalised text."""

    term: str
    kind: Literal["term", "pattern"]
    start: int
    end: int
    matched: str


class Watchlist:
    """Configured terms and patterns, compiled once and applied to many messages."""

    def __init__(self, terms: Iterable[str] = (), patterns: Iterable[str] = ()) -> None:
        self._rules: list[tuple[str, Literal["term", "pattern"], re.Pattern[str]]] = []
        for term in terms:
            folded = normalise(term.strip())
            if not folded:
                continue
            if _MALAYALAM.search(folded):
                regex = re.escape(folded)
            else:
                regex = rf"(?<!\w){re.escape(folded)}(?!\w)"
            self._rules.append((term, "term", re.compile(regex)))
        for pattern in patterns:
            try:
                self._rules.append((pattern, "pattern", re.compile(pattern)))
            except re.error as exc:
                raise UsageError(f"bad watchlist pattern {pattern!r}: {exc}") from None

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> Watchlist:
        """One term per line; ``re:`` starts a pattern; blank lines and ``#`` comments skip."""
        terms, patterns = [], []
        for line in lines:
            entry = line.strip()
            if not entry or entry.startswith("#"):
                continue
            if entry.startswith(_PATTERN_PREFIX):
                patterns.append(entry[len(_PATTERN_PREFIX) :])
            else:
                terms.append(entry)
        return cls(terms, patterns)

    @classmethod
    def from_file(cls, path: Path) -> Watchlist:
        """Read a UTF-8 watchlist file in the :meth:`from_lines` format."""
        try:
            return cls.from_lines(path.read_text(encoding="utf-8").splitlines())
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read watchlist {path}: {exc}") from None

    def __len__(self) -> int:
        return len(self._rules)

    def scan(self, text: str) -> list[KeywordHit]:
        """Every hit of every rule in ``text``, in rule order then position."""
        folded = normalise(text)
        hits = []
        for term, kind, regex in self._rules:
            for match in regex.finditer(folded):
                hits.append(KeywordHit(term, kind, match.start(), match.end(), match.group()))
        return hits

    def flag(self, message: Message) -> list[KeywordHit]:
        """Hits in a message's text and its attachments' file names."""
        parts = [message.text, *(a.file_name or "" for a in message.attachments)]
        return self.scan("\n".join(p for p in parts if p))
