"""Hindi, Malayalam and Tamil, the languages of phones seized in Kerala.

Only what a public example shows is here. Hindi: an iOS export (encryption, security code,
media left out, deletions) and Android's attachment words. Malayalam and Tamil: Android's
attachment words only (the Tamil entry is the fragment the source holds, matched inside the
parentheses). No public example of their group notices was found; such lines are kept as
``unrecognised-notice`` records with their text.
"""

from phunt.chats.notices.sources import WJ_LANG, WJ_PATTERNS
from phunt.chats.notices.table import Language, Phrase

P = Phrase

HI_IOS = WJ_LANG.format("hindi_ios.txt")

HINDI = Language(
    code="hi",
    name="Hindi",
    notices=(
        P("encryption", "मैसेजेस और कॉल्स एंड-टू-एंड एन्क्रिप्टेड हैं{old}", HI_IOS),
        P("security_code_changed", "{targets} के लिए आपका सुरक्षा कोड बदल गया है{old}", HI_IOS),
    ),
    omitted=(
        P("omitted", "फ़ोटो हटाई गई", HI_IOS),
        P("omitted", "वीडियो छोड़ा गया", HI_IOS),
        P("omitted", "ऑडियो हटाई गयी", HI_IOS),
        P("omitted", "कॉन्टैक्ट कार्ड छोड़ा गया", HI_IOS),
        P("omitted", "स्टिकर छोड़ा गया", HI_IOS),
        P("omitted", "GIF छोड़ा गया", HI_IOS),
        P("omitted", "{file} डॉक्यूमेंट छोड़ा गया", HI_IOS),
    ),
    attached=(
        P("android", "फाइल संलग्न", WJ_PATTERNS),
        P("android", "फाइल अटैच कर दी गई है", WJ_PATTERNS),
        P("ios", "अटैच किया गया", WJ_PATTERNS),
    ),
    deleted=(
        P("deleted", "यह मैसेज डिलीट कर दिया गया है", HI_IOS),
        P("you_deleted", "आपने यह मैसेज डिलीट किया", HI_IOS),
    ),
)
MALAYALAM = Language(
    code="ml", name="Malayalam", attached=(P("android", "ഫയൽ ചേർത്തു", WJ_PATTERNS),)
)
TAMIL = Language(code="ta", name="Tamil", attached=(P("android", "ணைக்கப்பட்டத", WJ_PATTERNS),))
