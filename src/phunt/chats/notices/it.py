"""Italian."""

from phunt.chats.notices.sources import CA_NAMES, IT_GEN, MULTI, WJ_PATTERNS
from phunt.chats.notices.table import Language, Phrase

P = Phrase

LANGUAGE = Language(
    code="it",
    name="Italian",
    notices=(
        P("created", '{actor} ha creato il gruppo "{subject}"', MULTI),
        P("created", "{actor} ha creato il gruppo", IT_GEN),
        P("added", "{actor} ha aggiunto {targets}", f"{IT_GEN}; {MULTI}"),
        P("removed", "{actor} ha rimosso {targets}", MULTI),
        P("left", "{actor} ha abbandonato{old}", MULTI),
        P("joined_link", "{actor} si è unito tramite link di invito{old}", MULTI),
        P("subject_changed", '{actor} ha modificato l\'oggetto{old}"{subject}"', MULTI),
        P("icon_changed", "{actor} ha cambiato l'immagine del gruppo", MULTI),
        P(
            "encryption",
            "I messaggi e le chiamate sono crittografati end-to-end{old}",
            f"{WJ_PATTERNS}; {IT_GEN}",
        ),
    ),
    omitted=(P("omitted", "<Media eliminati>", MULTI),),
    attached=(
        P("android", "file allegato", WJ_PATTERNS),
        P("ios", "allegato", WJ_PATTERNS),
    ),
    export_names=(P("export_name", "Chat WhatsApp con {subject}", CA_NAMES),),
    you=("Tu",),
)
