"""French."""

from phunt.chats.notices.sources import CA_NAMES, FR_NAME, FR_OMIS, MULTI, WJ_PATTERNS
from phunt.chats.notices.table import Language, Phrase

P = Phrase

LANGUAGE = Language(
    code="fr",
    name="French",
    notices=(
        P("created", '{actor} a créé le groupe "{subject}"', MULTI),
        P("created", "{actor} a créé le groupe{old}", MULTI),
        P("added", "{actor} a ajouté {targets}", MULTI),
        P("removed", "{actor} a retiré {targets}", MULTI),
        P("left", "{actor} a quitté{old}", MULTI),
        P("joined_link", "{actor} a rejoint en utilisant le lien{old}", MULTI),
        P("subject_changed", '{actor} a modifié le sujet{old}"{subject}"', MULTI),
        P("icon_changed", "{actor} a changé la photo du groupe", MULTI),
        P(
            "encryption",
            "Les messages et les appels sont chiffrés de bout en bout{old}",
            WJ_PATTERNS,
        ),
    ),
    omitted=(P("omitted", "<Médias omis>", f"{MULTI}; {FR_OMIS}"),),
    attached=(
        P("android", "fichier joint", WJ_PATTERNS),
        P("ios", "pièce jointe", WJ_PATTERNS),
    ),
    export_names=(
        P("export_name", "Discussion WhatsApp avec {subject}", f"{CA_NAMES}; {FR_NAME}"),
    ),
    you=("Vous",),
)
