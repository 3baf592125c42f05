"""Where the non-English phrases were seen, named once so each table row can cite them.

"Public code index excerpt N" is an excerpt of a public repository's file found through the
project's search tool (its repository is not shown there); the quoted words are what it
holds. No code was copied from any of them: only the app's own wordings, which they quote.
"""

WJ_PATTERNS = (
    "starkdmi/whats_json lib/src/patterns.dart (Android strings.xml email_file_attached of "
    "WhatsApp 2.8.4278, iOS Localizable.strings zQ+5d of 22.24.81, encryption notices)"
)
WJ_LANG = "starkdmi/whats_json test/data/languages/{}"
WJ_ANDROID_RU = (
    "starkdmi/whats_json test/data/android/Чат WhatsApp с контактом Dmitry S RU Android.txt"
)
CA_NAMES = (
    "mlomb/chat-analytics WhatsApp file-name patterns (public code index excerpt 13972619205)"
)
MULTI = (
    "public code index excerpt 33147414435 (a WhatsApp export parser's MEDIA_INDICATORS and "
    "SYSTEM_INDICATORS for pt, es, fr, de, it, nl)"
)
PT_HINTS = (
    "public code index excerpt 69432956159 (a Brazilian export reader's SYSTEM_HINTS: "
    "'criou o grupo', 'você foi adicionado', 'adicionou', 'removeu', 'saiu', "
    "'entrou usando o link', 'mensagens e ligações são protegidas')"
)
PT_FIXTURE = "public code index excerpt 35959900710 (fixture 'Conversa do WhatsApp com Teste.zip')"
ES_NOTES = (
    "public code index excerpt 60360134267 (format notes from a real Argentine Android "
    "export, April 2026: 'Diego creó el grupo \"…\".', 'Te uniste mediante el enlace de "
    "invitación de este grupo.', '<Multimedia omitido>', 'Se eliminó este mensaje.')"
)
ES_R = "public code index excerpt 44506858277 (an R analysis of a Spanish export)"
ES_JS = (
    "public code index excerpt 57609739397 (an export reader's patterns: 'añadió a', "
    "'cambió el asunto', 'imagen omitida', 'documento omitido', '<adjunto:')"
)
ES_PY = "public code index excerpt 14274268877 ('documento omitido|archivo adjunto')"
DE_PY = (
    "public code index excerpt 42716240771 (a parser's German table: 'hat die Gruppe „…“ "
    "erstellt.', 'hat den Betreff von „…“ zu „…“ geändert.', '<Medien ausgeschlossen>')"
)
DE_JS = (
    "public code index excerpt 56084714088 (a German export reader's skip list: "
    "'ist über einen', 'Gruppenbeschreibung', 'Sicherheitscode')"
)
DE_DELETED = (
    "public code index excerpt 70524838880 ('diese nachricht wurde gelöscht', "
    "'du hast diese nachricht gelöscht', '(bild|video|audio|sticker|gif) weggelassen')"
)
DE_WHIS = "Dlurak/Whis src/lib/constants/whatsapp.ts (END_TO_END_ENCRYPTED_GERMAN)"
DE_NAME = (
    "public code index excerpt 13322466729 ('WhatsApp Chat mit Die üblichen Verdächtigen.txt')"
)
FR_OMIS = "public code index excerpt 68621368097 ('<médias omis>')"
FR_NAME = "public code index excerpt 3812355043 ('Discussion WhatsApp avec Ai-Dialogue Actif.txt')"
IT_GEN = (
    "public code index excerpt 71324656266 (an Italian export generator: 'ha creato il "
    "gruppo.', 'ha aggiunto Tu.')"
)
ID_OMIT = (
    "public code index excerpts 6832826691 and 67121069811 (Indonesian readers: "
    "'<Media tidak disertakan>', '(file terlampir)', '<gambar tidak disertakan>')"
)
ID_DELETED = "public code index excerpt 59193542753 ('pesan ini telah dihapus')"
ID_NAME = "public code index excerpt 70536454561 ('Chat WhatsApp dengan Maria')"
RU_PY = (
    "public code index excerpt 54930843058 (a Russian export reader's SYSTEM_PATTERNS: "
    "'создал(-а) группу', 'добавил(-а) вас', 'изменил(-а) картинку/название/описание группы')"
)
RU_TEST = "public code index excerpt 55750415342 (a test's Russian Android export line)"
RU_MD = (
    "public code index excerpts 58080037115 and 56694414044 ('теперь вы админ', 'присоединился')"
)
