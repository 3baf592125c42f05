"""Indonesian. No public example of its group notices was found; media, deletion and
encryption wordings and the export's file name were."""

from phunt.chats.notices.sources import ID_DELETED, ID_NAME, ID_OMIT, WJ_PATTERNS
from phunt.chats.notices.table import Language, Phrase

P = Phrase

LANGUAGE = Language(
    code="id",
    name="Indonesian",
    notices=(
        P("encryption", "Pesan dan panggilan terenkripsi secara end-to-end{old}", WJ_PATTERNS),
    ),
    omitted=(
        P("omitted", "<Media tidak disertakan>", ID_OMIT),
        P("omitted", "<gambar tidak disertakan>", ID_OMIT),
    ),
    attached=(
        P("android", "file terlampir", f"{WJ_PATTERNS}; {ID_OMIT}"),
        P("ios", "terlampir", WJ_PATTERNS),
    ),
    deleted=(P("deleted", "Pesan ini telah dihapus", ID_DELETED),),
    export_names=(P("export_name", "Chat WhatsApp dengan {subject}", ID_NAME),),
)
