"""German."""

from phunt.chats.notices.sources import (
    CA_NAMES,
    DE_DELETED,
    DE_JS,
    DE_NAME,
    DE_PY,
    DE_WHIS,
    MULTI,
    WJ_PATTERNS,
)
from phunt.chats.notices.table import Language, Phrase

P = Phrase

LANGUAGE = Language(
    code="de",
    name="German",
    notices=(
        P("created", '{actor} hat die Gruppe "{subject}" erstellt', DE_PY),
        P("subject_changed", '{actor} hat den Betreff von "{old}" zu "{subject}" geändert', DE_PY),
        P("left", "{actor} hat die Gruppe verlassen", MULTI),
        P("icon_changed", "{actor} hat das Gruppenbild geändert", MULTI),
        P("description_changed", "{actor} hat die Gruppenbeschreibung geändert", DE_JS),
        P("joined_link", "{actor} ist über {old} beigetreten", f"{MULTI}; {DE_JS}"),
        P("added", "{actor} hat {targets} hinzugefügt", MULTI),
        P("removed", "{actor} hat {targets} entfernt", MULTI),
        P("encryption", "Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt{old}", DE_WHIS),
    ),
    omitted=(
        P("omitted", "<Medien ausgeschlossen>", DE_PY),
        P("omitted", "Bild weggelassen", DE_DELETED),
        P("omitted", "Video weggelassen", DE_DELETED),
        P("omitted", "Audio weggelassen", DE_DELETED),
        P("omitted", "Sticker weggelassen", DE_DELETED),
        P("omitted", "GIF weggelassen", DE_DELETED),
    ),
    attached=(
        P("android", "Datei angehängt", WJ_PATTERNS),
        P("ios", "Anhang", WJ_PATTERNS),
        P("ios", "angehängt", WJ_PATTERNS),
    ),
    deleted=(
        P("deleted", "Diese Nachricht wurde gelöscht", DE_DELETED),
        P("you_deleted", "Du hast diese Nachricht gelöscht", DE_DELETED),
    ),
    export_names=(P("export_name", "WhatsApp Chat mit {subject}", f"{CA_NAMES}; {DE_NAME}"),),
    you=("Du",),
)
