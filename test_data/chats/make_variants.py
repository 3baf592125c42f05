"""Regenerate the export variants of issue 19 (run from anywhere: paths are relative to this file).

One small export per variant that real phones and apps write, each invented (names, numbers
and neutral text made up here) and each showing one format feature: Telegram Desktop's older
numeric ``from_id``/``actor_id``, a msgstore.db in mid-migration (the new ``message`` table
holding only its placeholder row, or both tables holding messages), and WhatsApp text exports
with typographic quotes, iOS notices without the U+200E mark, the other real wordings, other
languages, midnight written as hour 0 in a 12-hour clock, year-first dates, and a notice no
table knows. The wordings come from phunt.chats.notices, where each says where it was seen.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_fixtures import CURRENT_SCHEMA, LEGACY_SCHEMA, T0, current, legacy, picture  # noqa: E402

OUT = HERE / "variants"
LRM = "\u200e"

TEXTS: dict[str, list[str]] = {
    # 3: Android notices with typographic quotes (U+201C/U+201D)
    "android_curly/WhatsApp Chat with Lake Road Group.txt": [
        "15.04.2026, 15:04 - You created group \u201cLake Road Group\u201d",
        "15.04.2026, 15:05 - You added Kavya Nair",
        "15.04.2026, 15:06 - Kavya Nair: Hello, the water tank is fixed.",
        "15.04.2026, 15:07 - You changed the subject from \u201cLake Road Group\u201d to "
        "\u201cLake Road Residents\u201d",
    ],
    # 4: iOS, only the encryption notice marked; the group title named by the chat itself
    "ios_unmarked/_chat.txt": [
        f"[18.03.26, 10:00:00] Bus Stop Committee: {LRM}Messages and calls are end-to-end "
        "encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.",
        "[18.03.26, 10:00:05] Arjun Menon created group \u201cBus Stop Committee\u201d",
        "[18.03.26, 10:00:09] Arjun Menon added Devi Pillai",
        "[18.03.26, 10:01:00] Devi Pillai: Good morning",
        f"[18.03.26, 10:02:00] Devi Pillai: {LRM}<attached: 00000003-PHOTO-2026-03-18.jpg>",
        "[18.03.26, 10:03:00] Arjun Menon removed Devi Pillai",
    ],
    # 5: the other real wordings
    "wordings/WhatsApp Chat with Ward Notices.txt": [
        "21/05/2026, 09:00 - Rahul Das created this group",
        "21/05/2026, 09:01 - You were added",
        "21/05/2026, 09:02 - Sneha Roy joined using this group's invite link",
        "21/05/2026, 09:03 - You're now an admin",
        "21/05/2026, 09:04 - Rahul Das changed this group's icon",
        "21/05/2026, 09:05 - Rahul Das changed the group settings to allow only admins to edit",
        "21/05/2026, 09:06 - Sneha Roy: Is the meeting at six? Invite: "
        "https://chat.whatsapp.com/AbCdEfGhIjKlMnOp12",
        "21/05/2026, 09:07 - Rahul Das removed Sneha Roy",
        "21/05/2026, 09:08 - Anil Kumar left",
        "21/05/2026, 09:09 - Rahul Das pinned a message",
    ],
    "added_you/WhatsApp Chat with Market Day.txt": [
        "22/05/2026, 09:00 - Meena Iyer added you",
        "22/05/2026, 09:01 - Meena Iyer: Stalls open at eight.",
    ],
    # 6: other languages (notices, attachment markers, media left out, file names)
    "portuguese/Conversa do WhatsApp com Feira do Bairro.txt": [
        '10/02/2026 08:00 - Ana Souza criou o grupo "Feira do Bairro"',
        "10/02/2026 08:01 - Ana Souza adicionou Bruno Lima",
        "10/02/2026 08:02 - Bruno Lima: Bom dia a todos",
        "10/02/2026 08:03 - Bruno Lima: IMG-20260210-WA0001.jpg (arquivo anexado)",
        "10/02/2026 08:04 - Ana Souza: <Mídia oculta>",
        "10/02/2026 08:05 - Ana Souza removeu Bruno Lima",
        "10/02/2026 08:06 - Carla Dias saiu",
    ],
    "spanish/Chat de WhatsApp con Club de Lectura.txt": [
        '3/4/2026, 12:19 - Diego Ruiz creó el grupo "Club de Lectura".',
        "3/4/2026, 22:44 - Te uniste mediante el enlace de invitación de este grupo.",
        "4/4/2026, 14:43 - Diego Ruiz: <Multimedia omitido>",
        "4/4/2026, 15:43 - Diego Ruiz: Se eliminó este mensaje.",
    ],
    "german/WhatsApp Chat mit Sportverein.txt": [
        "05.06.26, 18:00 - Lena Vogel hat die Gruppe \u201eSportverein\u201c erstellt.",
        "05.06.26, 18:01 - Lena Vogel hat Tim Berg hinzugefügt",
        "05.06.26, 18:02 - Tim Berg: Training am Montag?",
        "05.06.26, 18:03 - Tim Berg: <Medien ausgeschlossen>",
        "05.06.26, 18:04 - Tim Berg hat die Gruppe verlassen",
    ],
    # 7: midnight written as hour 0 in a 12-hour clock
    "midnight_12h/WhatsApp Chat with Night Shift.txt": [
        "06/19/2026, 11:55 p. m. - Priya Raj: Shift ends soon",
        "06/20/2026, 00:08 a. m. - Priya Raj: Shift over, going home",
        "06/20/2026, 12:30 a. m. - Karan Shah: Safe travels",
    ],
    # 8: year-first dates, no date-order ambiguity
    "year_first/WhatsApp Chat with Library Desk.txt": [
        "2026-01-02, 09:15 - Farah Khan: Books returned",
        "2026-01-03, 10:20 - Omar Ali: Thank you",
    ],
    "year_first_slash/_chat.txt": [
        "[2026/01/02 09:15] Farah Khan: Books returned",
        "[2026/01/03 10:20] Omar Ali: Thank you",
    ],
}


def telegram() -> None:
    """1: an older Telegram Desktop export, ids written as JSON numbers."""
    stamp = 1767600000
    chat = {
        "name": "Cycling Club",
        "type": "private_group",
        "id": 4100000001,
        "messages": [
            {
                "id": 1,
                "type": "service",
                "date": "2026-01-05T13:30:00",
                "date_unixtime": str(stamp),
                "actor": "Nisha Verma",
                "actor_id": 2001,
                "action": "create_group",
                "title": "Cycling Club",
                "members": ["Nisha Verma", "Joel Mathew"],
                "text": "",
            },
            {
                "id": 2,
                "type": "message",
                "date": "2026-01-05T13:31:00",
                "date_unixtime": str(stamp + 60),
                "from": "Joel Mathew",
                "from_id": 2002,
                "text": "Ride on Sunday at seven",
            },
            {
                "id": 3,
                "type": "service",
                "date": "2026-01-05T13:32:00",
                "date_unixtime": str(stamp + 120),
                "actor": "Nisha Verma",
                "actor_id": 2001,
                "action": "remove_members",
                "members": ["Joel Mathew"],
                "text": "",
            },
        ],
    }
    out = OUT / "telegram_numeric_ids/result.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(chat, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def msgstore() -> None:
    """2: a msgstore.db in mid-migration, two ways."""
    placeholder = OUT / "msgstore_placeholder/msgstore.db"
    placeholder.parent.mkdir(parents=True, exist_ok=True)
    legacy(placeholder)
    with sqlite3.connect(placeholder) as db:
        db.executescript(CURRENT_SCHEMA)
        db.execute(
            "INSERT INTO message (_id, chat_row_id, from_me, key_id, timestamp, message_type)"
            " VALUES (1, -1, 0, '-1', 0, 0)"
        )
    db.close()
    both = OUT / "msgstore_both/msgstore.db"
    both.parent.mkdir(parents=True, exist_ok=True)
    current(both, picture(OUT / "msgstore_both/unused.jpg", (120, 120, 120)))
    (OUT / "msgstore_both/unused.jpg").unlink()
    group = "120363000000000001@g.us"
    with sqlite3.connect(both) as db:
        db.executescript(LEGACY_SCHEMA)
        db.executemany(
            "INSERT INTO messages (_id, key_remote_jid, key_from_me, key_id, status, data,"
            " timestamp, media_wa_type, remote_resource) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (1, "-1", 0, "-1", -1, None, 0, "0", None),
                (
                    2,
                    group,
                    0,
                    "K3",
                    0,
                    "Welcome, the meeting is on Sunday.",
                    T0 + 120_000,
                    "0",
                    "919800000002@s.whatsapp.net",
                ),
                (
                    3,
                    group,
                    0,
                    "L1",
                    0,
                    "Older note kept only here",
                    T0 - 60_000,
                    "0",
                    "919800000003@s.whatsapp.net",
                ),
            ],
        )
        db.execute("INSERT INTO chat_list (key_remote_jid, subject) VALUES (?, ?)", (group, None))
    db.close()


def whatsapp() -> None:
    for name, lines in TEXTS.items():
        path = OUT / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    picture(OUT / "portuguese/IMG-20260210-WA0001.jpg", (200, 80, 80))
    picture(OUT / "ios_unmarked/00000003-PHOTO-2026-03-18.jpg", (80, 200, 80))


if __name__ == "__main__":
    telegram()
    msgstore()
    whatsapp()
