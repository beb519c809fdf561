"""QR codes that open the phone's texting app to the bot with a first word filled in."""

from __future__ import annotations

import io
from typing import Literal
from urllib.parse import quote

import segno

Scheme = Literal["smsto", "sms"]

# Which form of "text this number" a QR code carries, and why SMSTO:.
#
# RFC 5724 defines the URI `sms:+15095550100?body=HELP`; the older de-facto QR payload, from
# ZXing's reader, is `SMSTO:+15095550100:HELP`. What the phones do with each (researched 2026-12):
# - Android: the camera and Google Lens read QR codes with ML Kit, whose SMS type is "an SMS
#   message from an SMS: or similar QR code type" (developers.google.com/ml-kit, MLKBarcodeSMS);
#   ZXing, the library most Android scanner apps are built on, parses both: SMSMMSResultParser
#   handles `sms:` with `?body=` (RFC 5724) and SMSTOMMSTOResultParser `SMSTO:number:body`
#   (github.com/zxing/zxing, core/.../client/result/). Android's messaging intents treat the
#   sms:, smsto:, mms: and mmsto: schemes alike (developer.android.com, Common intents).
# - iPhone: Apple documents `sms:` with a number only, "must not include any message text"
#   (developer.apple.com, iPhoneURLScheme_Reference/SMSLinks); iOS 8 and later took a body as
#   `sms:number&body=`, not the RFC's `?body=` (stackoverflow.com/questions/6480462, and
#   blog.julianklotz.de/the-sms-uri-scheme). For QR codes, QRCoder's maintainers found the RFC
#   form filled in only the number on iOS while `SMSTO:` filled number and body on iOS 11 and
#   Android 11 (github.com/Shane32/QRCoder/issues/296, 2021), and a firefox-ios report notes that
#   "iOS builtin Camera app and Android builtin Google Lens" both recognise `SMSTO:` codes
#   (github.com/mozilla-mobile/firefox-ios/issues/8567, iOS 14.4). QR generators that explain
#   their choice use SMSTO: for the same reason (goqr.me, qrgenerate.com).
# So cards and posters carry SMSTO:, the one form reported to fill in number AND word on both
# systems. Where a reader ignores the word, both forms still fill in the number, and the card
# prints the word to type. `flask outreach qr --scheme sms` writes the RFC 5724 form for places
# that ask for a standard URI. We could not test on phones here: try a printed card on an iPhone
# and an Android phone before a print run.
DEFAULT_SCHEME: Scheme = "smsto"

#: Error correction M (15% of the code may be damaged); segno raises it when the size allows.
ERROR_LEVEL = "m"
#: Light modules around the code, in modules: what ISO/IEC 18004 asks of a QR code.
QUIET_ZONE = 4


def sms_uri(number: str, body: str, scheme: Scheme = DEFAULT_SCHEME) -> str:
    """The payload that opens the texting app to a number (E.164) with a body filled in."""
    if scheme == "smsto":
        return f"SMSTO:{number}:{body}"
    return f"sms:{number}?body={quote(body, safe='')}"


def make_qr(uri: str) -> segno.QRCode:
    """The QR code of a payload, as small as the payload allows; a payload beyond ASCII goes as
    UTF-8 with an ECI header that says so. Without it segno picks Latin-1 for "GIÚP" and Shift_JIS
    Kanji mode for "МЕНЮ", and a reader must guess the charset: zbarimg guessed "GI湷" for "GIÚP"."""
    if uri.isascii():
        return segno.make_qr(uri, error=ERROR_LEVEL, boost_error=True)
    return segno.make_qr(uri, error=ERROR_LEVEL, boost_error=True, encoding="utf-8", eci=True)


def dark_runs(code: segno.QRCode) -> list[tuple[int, int, int]]:
    """The dark modules of a code (without its quiet zone) as (row, first column, length) runs."""
    runs = []
    for row, modules in enumerate(code.matrix):
        start = None
        for column, dark in enumerate((*modules, 0)):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                runs.append((row, start, column - start))
                start = None
    return runs


def qr_file(uri: str, kind: Literal["png", "svg"], scale: int = 10) -> bytes:
    """A QR code as a PNG or SVG file, quiet zone included."""
    out = io.BytesIO()
    make_qr(uri).save(out, kind=kind, scale=scale, border=QUIET_ZONE)
    return out.getvalue()
