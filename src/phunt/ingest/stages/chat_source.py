"""Flag a file that looks like a chat source, by the chats package's name rules."""

from __future__ import annotations

from typing import ClassVar

from phunt.chats.candidate import chat_candidate
from phunt.ingest.stages.base import Stage, Work


class ChatSourceStage(Stage):
    """Flag a file that looks like a chat source, so ingest can import it from its entry."""

    name: ClassVar[str] = "chat-source"

    def run(self, work: Work) -> None:
        if work.read:
            work.chat_candidate = chat_candidate(work.entry.path)
