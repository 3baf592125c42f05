"""Dutch: the markers the parser already knew (format notes, section 4)."""

from phunt.chats.notices.table import Language, Phrase

P = Phrase

NOTES = "../shared/formats/whatsapp-chat-export.md section 4"

LANGUAGE = Language(
    code="nl",
    name="Dutch",
    omitted=(P("omitted", "<Media weggelaten>", NOTES),),
    attached=(P("android", "bestand bijgevoegd", NOTES),),
)
