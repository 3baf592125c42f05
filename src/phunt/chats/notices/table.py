"""The shape of one language's table of WhatsApp notice phrases, and where each was seen.

A phrase is written as the app writes it, with placeholders for what varies:
``{actor}`` (who acted), ``{targets}`` (who was acted on, one or a list), ``{subject}``
(a group title), ``{old}`` (a previous title, not kept) and ``{file}`` (an attachment's
name). Quotes are written straight; the matcher folds the typographic quotes phones
write (U+201C/U+201D, „ “, « ») to straight ones before matching, and a final full stop
is optional. ``seen`` says where the wording was found in a real export or in a public
project that parses real exports, so an examiner can check a phrase's origin.
"""

from __future__ import annotations

from dataclasses import dataclass

NOTICE_KINDS = (
    "created",
    "added",
    "was_added",
    "removed",
    "was_removed",
    "left",
    "joined_link",
    "admin_granted",
    "admin_revoked",
    "subject_changed",
    "icon_changed",
    "description_changed",
    "settings_changed",
    "security_code_changed",
    "number_changed",
    "encryption",
)
"""Kinds of group or chat notice; the parser maps each to an action and its role evidence.

A phrase's kind may carry ``you:`` before it (the exporting user acted: "Te uniste …") or
``:you`` after it (the exporting user was acted on: "X added you", "You were added").
"""


@dataclass(frozen=True, slots=True)
class Phrase:
    """One wording of one kind of notice or marker, and where it was seen."""

    kind: str
    text: str
    seen: str


@dataclass(frozen=True, slots=True)
class Language:
    """Everything language-specific in a WhatsApp text export.

    ``notices``: system lines (kinds in :data:`NOTICE_KINDS`). ``omitted``: a whole message
    standing for media the export left out (``{file}`` for a document's name). ``attached``:
    the word(s) of Android's ``name (file attached)`` or of iOS's ``<attached: name>``
    (kind ``android`` or ``ios``). ``deleted``: a deleted message's stand-in text (kind
    ``deleted`` or ``you_deleted``). ``export_names``: the file name of an export, with
    ``{subject}`` for the chat's name. ``you``: how the exporting user is named.
    """

    code: str
    name: str
    notices: tuple[Phrase, ...] = ()
    omitted: tuple[Phrase, ...] = ()
    attached: tuple[Phrase, ...] = ()
    deleted: tuple[Phrase, ...] = ()
    export_names: tuple[Phrase, ...] = ()
    you: tuple[str, ...] = ()
