"""Fixed replies that do not come from the library: what the bot sends when it cannot match."""

from __future__ import annotations

#: Sent when anything fails while answering; only verified numbers, GSM-7, one SMS segment.
FALLBACK_REPLY = (
    "Sorry, something went wrong. National Human Trafficking Hotline: call 1-888-373-7888 "
    "or text 233733. In danger now? Call 911."
)

#: Said to callers when the library has no spoken message (voice.txt) or anything fails while
#: answering a call: English, then Spanish; only verified numbers (tests/test_voice.py checks).
FALLBACK_VOICE = (
    (
        "en",
        "If you are in danger now, hang up and call 911. For help, call the National Human "
        "Trafficking Hotline, free and confidential, 24 hours a day: 1-888-373-7888. Goodbye.",
    ),
    (
        "es",
        "Si está en peligro ahora, cuelgue y llame al 911. Para recibir ayuda, llame a la línea "
        "nacional contra la trata de personas, gratis y confidencial, las 24 horas: "
        "1-888-373-7888. Adiós.",
    ),
)
