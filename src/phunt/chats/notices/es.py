"""Spanish (Spain and Latin America)."""

from phunt.chats.notices.sources import CA_NAMES, ES_JS, ES_NOTES, ES_PY, ES_R, MULTI, WJ_PATTERNS
from phunt.chats.notices.table import Language, Phrase

P = Phrase

LANGUAGE = Language(
    code="es",
    name="Spanish",
    notices=(
        P("created", '{actor} creó el grupo "{subject}"', ES_NOTES),
        P("you:joined_link", "Te uniste mediante el enlace de invitación de este grupo", ES_NOTES),
        P("joined_link", "{actor} se unió usando el enlace de invitación{old}", MULTI),
        P("added", "{actor} añadió a {targets}", ES_JS),
        P("added", "{actor} agregó a {targets}", MULTI),
        P("icon_changed", "{actor} cambió la foto del grupo", MULTI),
        P("icon_changed", "{actor} eliminó la foto del grupo", MULTI),
        P("removed", "{actor} eliminó a {targets}", MULTI),
        P("left", "{actor} salió{old}", MULTI),
        P("subject_changed", '{actor} cambió el asunto{old}"{subject}"', ES_JS),
        P(
            "encryption",
            "Los mensajes y las llamadas están cifrados de extremo a extremo{old}",
            WJ_PATTERNS,
        ),
    ),
    omitted=(
        P("omitted", "<Multimedia omitido>", ES_NOTES),
        P("omitted", "imagen omitida", ES_JS),
        P("omitted", "{file} documento omitido", f"{ES_JS}; {ES_PY}"),
    ),
    attached=(
        P("android", "archivo adjunto", f"{MULTI}; {ES_PY}"),
        P("android", "archivo adjuntado", WJ_PATTERNS),
        P("ios", "adjunto", f"{WJ_PATTERNS}; {ES_JS}"),
    ),
    deleted=(
        P("deleted", "Se eliminó este mensaje", ES_NOTES),
        P("deleted", "Este mensaje fue eliminado", ES_R),
        P("you_deleted", "Eliminaste este mensaje", ES_R),
    ),
    export_names=(P("export_name", "Chat de WhatsApp con {subject}", CA_NAMES),),
)
