"""Portuguese (Brazil and Portugal)."""

from phunt.chats.notices.sources import (
    CA_NAMES,
    MULTI,
    PT_FIXTURE,
    PT_HINTS,
    WJ_LANG,
    WJ_PATTERNS,
)
from phunt.chats.notices.table import Language, Phrase

P = Phrase

IOS = WJ_LANG.format("portugal_ios.txt") + " (pt-PT, iOS)"

LANGUAGE = Language(
    code="pt",
    name="Portuguese",
    notices=(
        P("created", '{actor} criou o grupo "{subject}"', PT_HINTS),
        P("created", "{actor} criou este grupo", MULTI),
        P("was_added:you", "Você foi adicionado{old}", PT_HINTS),
        P("added", "{actor} adicionou {targets}", PT_HINTS),
        P("was_removed", "{targets} foi removido{old}", MULTI),
        P("removed", "{actor} removeu {targets}", PT_HINTS),
        P("left", "{actor} saiu", PT_HINTS),
        P("joined_link", "{actor} entrou usando o link{old}", PT_HINTS),
        P("icon_changed", "{actor} mudou a imagem deste grupo", MULTI),
        P("subject_changed", '{actor} mudou o assunto{old}"{subject}"', MULTI),
        P("encryption", "As mensagens e chamadas são encriptadas ponto a ponto{old}", IOS),
        P(
            "encryption",
            "As mensagens e as chamadas são protegidas com a criptografia de ponta a ponta{old}",
            WJ_PATTERNS,
        ),
        P("encryption", "Mensagens e ligações são protegidas{old}", PT_HINTS),
    ),
    omitted=(
        P("omitted", "<Mídia oculta>", MULTI),
        P("omitted", "imagem não revelada", IOS),
        P("omitted", "vídeo não revelado", IOS),
        P("omitted", "ficheiro de áudio não revelado", IOS),
        P("omitted", "Contacto não revelado", IOS),
        P("omitted", "sticker não revelado", IOS),
        P("omitted", "GIF não revelada", IOS),
        P("omitted", "{file} documento não revelado", IOS),
    ),
    attached=(
        P("android", "arquivo anexado", WJ_PATTERNS),
        P("android", "ficheiro anexado", WJ_PATTERNS),
        P("ios", "anexado", WJ_PATTERNS),
        P("ios", "anexo", WJ_PATTERNS),
    ),
    deleted=(
        P("deleted", "Esta mensagem foi apagada", IOS),
        P("you_deleted", "Apagou esta mensagem", IOS),
    ),
    export_names=(
        P("export_name", "Conversa do WhatsApp com {subject}", f"{CA_NAMES}; {PT_FIXTURE}"),
        P("export_name", "Conversa no WhatsApp com {subject}", CA_NAMES),
    ),
    you=("Você", "você"),
)
