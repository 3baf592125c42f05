"""Russian."""

from phunt.chats.notices.sources import (
    CA_NAMES,
    RU_MD,
    RU_PY,
    RU_TEST,
    WJ_ANDROID_RU,
    WJ_LANG,
    WJ_PATTERNS,
)
from phunt.chats.notices.table import Language, Phrase

P = Phrase

ANDROID = WJ_LANG.format("russian_android.txt")

LANGUAGE = Language(
    code="ru",
    name="Russian",
    notices=(
        P("created", '{actor} создал(-а) группу "{subject}"', RU_TEST),
        P("created", "{actor} создал(-а) группу", f"{RU_PY}; {RU_MD}"),
        P("added:you", "{actor} добавил(-а) вас", RU_PY),
        P("added", "{actor} добавил(-а) участников: {targets}", RU_MD),
        P("added", "{actor} добавил(-а) {targets}", RU_PY),
        P("icon_changed", "{actor} изменил(-а) картинку группы", RU_PY),
        P("subject_changed", '{actor} изменил(-а) название группы{old}"{subject}"', RU_PY),
        P("subject_changed", "{actor} изменил(-а) название группы{old}", RU_PY),
        P("description_changed", "{actor} изменил(-а) описание группы", RU_PY),
        P("admin_granted:you", "Теперь вы админ", RU_MD),
        P("joined_link", "{actor} присоединился{old}", RU_MD),
        P("encryption", "Сообщения и звонки защищены сквозным шифрованием{old}", ANDROID),
    ),
    omitted=(P("omitted", "<Без медиафайлов>", ANDROID),),
    attached=(
        P("android", "файл добавлен", f"{ANDROID}; {WJ_PATTERNS}"),
        P("ios", "прикреплено", WJ_PATTERNS),
    ),
    deleted=(
        P("deleted", "Данное сообщение удалено", ANDROID),
        P("you_deleted", "Вы удалили данное сообщение", ANDROID),
    ),
    export_names=(
        P("export_name", "Чат WhatsApp с контактом {subject}", WJ_ANDROID_RU),
        P("export_name", "Чат WhatsApp с {subject}", CA_NAMES),
    ),
    you=("Вы",),
)
