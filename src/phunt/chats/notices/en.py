"""English (India, UK and US phones write the same words; only the date and AM/PM forms
differ, and those the header pattern reads)."""

from phunt.chats.notices.table import Language, Phrase

P = Phrase

WHATSTK = "lucasrodes/whatstk tests/chats (Android, en-US and en-GB date forms)"
MINER = "joweich/chat-miner test/whatsapp (Android and iOS, 12- and 24-hour)"
ANALYTICS = "mlomb/chat-analytics tests/samples/whatsapp (Android)"
SODA = "sodascience/port-whatsapp-datadonation data_extractor/tests/data (iOS and Android)"
ISSUE = "issue 19, What broke 5 (wordings in real exports kept back for checking)"
NOTES = "../shared/formats/whatsapp-chat-export.md section 4 (Android strings.xml)"
WHATS_JSON = "starkdmi/whats_json test/data/languages/english_*.txt and lib/src/patterns.dart"

LANGUAGE = Language(
    code="en",
    name="English",
    notices=(
        P("created", '{actor} created group "{subject}"', f"{WHATSTK}; {MINER}"),
        P("created", "{actor} created this group", ISSUE),
        P("was_added:you", "You were added", MINER),
        P("added:you", "{actor} added you", ANALYTICS),
        P("was_added", "{targets} was added", NOTES),
        P("added", "{actor} added {targets}", NOTES),
        P("removed:you", "{actor} removed you", NOTES),
        P("removed", "{actor} removed {targets}", ISSUE),
        P("left", "{actor} left", ISSUE),
        P("joined_link", "{actor} joined using this group's invite link", ISSUE),
        P("admin_granted:you", "You're now an admin", ISSUE),
        P("admin_revoked:you", "You're no longer an admin", NOTES),
        P("subject_changed", 'The subject was changed to "{subject}"', NOTES),
        P("subject_changed", '{actor} changed the subject from "{old}" to "{subject}"', ISSUE),
        P("subject_changed", '{actor} changed the subject to "{subject}"', NOTES),
        P("subject_changed", '{actor} changed the group name to "{subject}"', NOTES),
        P("icon_changed", "{actor} changed this group's icon", ISSUE),
        P("icon_changed", "{actor} deleted this group's icon", NOTES),
        P("description_changed", "{actor} changed the group description", NOTES),
        P("settings_changed", "{actor} changed the group settings {old}", ISSUE),
        P("settings_changed", "{actor} changed this group's settings {old}", NOTES),
        P("security_code_changed", "Your security code with {targets} changed{old}", NOTES),
        P("security_code_changed", "{targets}'s security code changed{old}", WHATS_JSON),
        P("number_changed", "{actor} changed their phone number to a new number{old}", NOTES),
        P("number_changed", "{actor} changed to {targets}", NOTES),
        P("encryption", "Messages and calls are end-to-end encrypted{old}", SODA),
        P(
            "encryption",
            "Messages you send to this group are now secured with end-to-end encryption{old}",
            WHATSTK,
        ),
        P(
            "encryption",
            "Messages to this group are now secured with end-to-end encryption{old}",
            NOTES,
        ),
    ),
    omitted=(
        P("omitted", "<Media omitted>", f"{NOTES}; {ANALYTICS} (lower case)"),
        P("omitted", "image omitted", f"{NOTES} (iOS)"),
        P("omitted", "video omitted", f"{NOTES} (iOS)"),
        P("omitted", "audio omitted", f"{NOTES} (iOS)"),
        P("omitted", "sticker omitted", f"{NOTES} (iOS)"),
        P("omitted", "GIF omitted", f"{NOTES} (iOS)"),
        P("omitted", "Contact card omitted", f"{NOTES} (iOS)"),
        P("omitted", "{file} document omitted", f"{NOTES} (iOS)"),
    ),
    attached=(
        P("android", "file attached", NOTES),
        P("ios", "attached", NOTES),
    ),
    deleted=(
        P("deleted", "This message was deleted", NOTES),
        P("you_deleted", "You deleted this message", NOTES),
    ),
    export_names=(
        P("export_name", "WhatsApp Chat with {subject}", f"{NOTES} (Android)"),
        P("export_name", "WhatsApp Chat - {subject}", f"{NOTES} (iOS)"),
    ),
    you=("You", "you"),
)
