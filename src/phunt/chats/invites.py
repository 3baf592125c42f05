"""Group invite links named in a chat, kept on the chat for takedown requests.

A WhatsApp (``chat.whatsapp.com/<code>``) or Telegram (``t.me/+<hash>``,
``t.me/joinchat/<hash>``) invite link posted in a group is usually that group's own (admins
share it to recruit) but may be another group's; both are what a takedown request to the
platform needs, so every link is kept with the message that first named it and the examiner
decides which group it opens.
"""

from __future__ import annotations

import re

from phunt.chats.model import Chat

_LINK = re.compile(
    r"https?://(?:chat\.whatsapp\.com/(?:invite/)?[A-Za-z0-9]{10,40}"
    r"|(?:www\.)?(?:t|telegram)\.me/(?:joinchat/|\+)[A-Za-z0-9_-]{8,64})"
)
_HINTS = ("chat.whatsapp.com/", "t.me/", "telegram.me/")


def note_links(chat: Chat, text: str, evidence: str) -> None:
    """Record the invite links in ``text`` (cheap when there are none: a substring test)."""
    if not any(hint in text for hint in _HINTS):
        return
    for link in _LINK.findall(text):
        chat.invite_links.setdefault(link, evidence)
