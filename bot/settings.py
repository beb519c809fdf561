"""The one Settings object, read from the environment; docs/deploying.md lists every variable."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import get_type_hints

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(ValueError):
    """An environment variable has a value the bot cannot use."""


#: E.164: a plus, a country code that does not start with 0, at most 15 digits in all.
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")


def check_e164(number: str) -> str:
    """The number if it is written in E.164 (+15095550100) and is one a phone can text;
    SettingsError saying why if not."""
    if not _E164.fullmatch(number):
        raise SettingsError(
            f"{number!r} is not a phone number in E.164 form: write it as + country code and"
            " number, digits only, e.g. +15095550100"
        )
    # Which numbers exist is the numbering plans' business, which libphonenumber keeps current;
    # imported here, so that only a process that checks a number loads it.
    import phonenumbers

    try:
        parsed = phonenumbers.parse(number)
    except phonenumbers.NumberParseException:
        raise SettingsError(
            f"{number!r} is not a number a phone can text: no country has its calling code"
        ) from None
    if not phonenumbers.is_valid_number(parsed):
        region = phonenumbers.region_code_for_country_code(parsed.country_code)
        raise SettingsError(
            f"{number!r} is not a number a phone can text: no such number is in use in +"
            f"{parsed.country_code} ({region}); check it against the Twilio Console"
        )
    kinds = phonenumbers.PhoneNumberType
    untextable = {
        kinds.PREMIUM_RATE: "premium-rate",
        kinds.PAGER: "pager",
        kinds.VOICEMAIL: "voicemail",
    }
    kind = phonenumbers.number_type(parsed)
    if kind in untextable:
        raise SettingsError(
            f"{number!r} is not a number a phone can text: it is a {untextable[kind]} number"
        )
    return number


def _as_bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise SettingsError(f"not a yes/no value: {value!r}")


@dataclass(frozen=True)
class Settings:
    """Configuration of one bot process. Field names map to upper-case environment variables."""

    #: Twilio auth token; requests to /sms are refused without it (unless DEV_INSECURE).
    twilio_auth_token: str = field(default="", repr=False)
    #: SQLAlchemy URL; empty means an SQLite file in the instance folder.
    database_url: str = field(default="", repr=False)  # may carry a password
    #: The URL Twilio calls, e.g. https://bot.example.org; the signature is checked against it.
    public_base_url: str = ""
    #: How many proxies in front of the app set X-Forwarded-* (docs/hardening.md: with PUBLIC_BASE_URL).
    proxy_hops: int = 0
    #: At most how often (seconds) each worker looks for a newly published library.
    reload_seconds: float = 5.0
    #: Keep anonymous daily counts per topic and language.
    daily_counts: bool = True
    #: Serve /sms without a token, for local development only; the app says so loudly.
    dev_insecure: bool = False
    #: Library files published on first start when the database holds none.
    library_dir: str = str(PROJECT_ROOT)
    #: Replies per sender within the window before the bot goes quiet to that sender.
    rate_limit: str = "10 per 10 minutes"
    #: Emergency replies per sender within their window: a limit of their own, apart from RATE_LIMIT.
    emergency_rate_limit: str = "3 per 10 minutes"
    #: Where rate-limit counters live: memory:// (one process) or redis://host:port/db (shared).
    rate_limit_storage_url: str = field(default="memory://", repr=False)  # may carry a password
    #: Secret for the keyed hash of senders in rate-limit keys; random per process when empty.
    rate_limit_secret: str = field(default="", repr=False)
    #: How often the rate-limit key secret rotates, in seconds.
    rate_limit_secret_rotate_seconds: int = 86400
    #: For how long (seconds) a bare menu number, "ok" or "yes" is answered in the language of the
    #: last reply to the same sender (kept under the rate limiter's keyed hash; 0: never).
    menu_language_seconds: int = 1800
    #: Python logging level of the bot's own logs (no logger ever receives message data).
    log_level: str = "INFO"
    #: Also write logs to this file (empty: standard error only).
    log_file: str = ""
    #: Twilio account SID (AC...) whose message records the purge deletes.
    twilio_account_sid: str = ""
    #: Twilio API key SID (SK...) for the purge; the auth token is never used for it.
    twilio_api_key: str = ""
    #: The API key's secret.
    twilio_api_secret: str = field(default="", repr=False)
    #: Where Twilio's REST API is; tests and staging may point it at another server.
    twilio_api_base_url: str = "https://api.twilio.com"
    #: Delete message records on Twilio: auto (on when the three credentials are set), true, false.
    purge_messages: str = "auto"
    #: The bot's numbers whose messages are deleted, comma-separated; empty: BOT_NUMBER, else all the account's.
    purge_numbers: str = ""
    #: Delete a message record once it is this many minutes old (Twilio needs it final first).
    purge_after_minutes: int = 70
    #: How often each worker tries a sweep, in seconds; only one sweeps at a time.
    purge_every_seconds: float = 600.0
    #: Answer calls at /voice (English and Spanish) and put callers through to VOICE_CONNECT_NUMBER.
    voice: bool = True
    #: Where a caller who presses 1 is put through: a numbers.yaml id or number (a US number).
    voice_connect_number: str = "1-888-373-7888"
    #: The bot's own Twilio number in E.164 (+15095550100), printed on cards and posters.
    bot_number: str = ""
    #: Signs the console's session cookies; required when TWILIO_AUTH_TOKEN is set.
    secret_key: str = field(default="", repr=False)
    #: Serve the operators' console under /console (false: the webhook only).
    console: bool = True
    #: Minutes without a request after which a console session ends.
    console_idle_minutes: int = 30
    #: Failed console logins per account name and address in the window (docs/hardening.md).
    console_login_limit: str = "5 per 15 minutes"

    def __post_init__(self) -> None:
        if self.bot_number:
            try:
                check_e164(self.bot_number)
            except SettingsError as exc:
                raise SettingsError(f"BOT_NUMBER: {exc}") from None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Read settings from environment variables named like the fields, upper-cased."""
        env = os.environ if environ is None else environ
        types = get_type_hints(cls)  # the annotations are strings (from __future__ import)
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(f.name.upper())
            if raw is None:
                continue
            kind = types[f.name]
            try:
                if kind is bool:
                    values[f.name] = _as_bool(raw)
                elif kind is int:
                    values[f.name] = int(raw)
                elif kind is float:
                    values[f.name] = float(raw)
                else:
                    values[f.name] = raw.strip()
            except ValueError as exc:
                raise SettingsError(f"{f.name.upper()}: {exc}") from None
        values.update(overrides)
        return cls(**values)

    def start_warnings(self) -> list[str]:
        """What a server says once at start (never `flask try`, `check` or `db upgrade`)."""
        warnings = [w for w in (self.unprotected_warning(),) if w]
        if self.console and not self.secret_key and not self.twilio_auth_token:
            warnings.append(
                "SECRET_KEY is empty: the console signs sessions with a random key of this "
                "process; logins end at every restart and differ between workers. Set SECRET_KEY "
                "to deploy."
            )
        return warnings

    def refusal_to_serve(self) -> str | None:
        """Why a server must not start with these settings (one line), else None. Commands that
        never serve the console (`flask try`, `library check`, `db upgrade`) start anyway."""
        if self.console and self.twilio_auth_token and not self.secret_key:
            return (
                "SECRET_KEY must be set when TWILIO_AUTH_TOKEN is set: it signs the console's "
                "session cookies (e.g. SECRET_KEY=$(python3 -c 'import secrets; "
                "print(secrets.token_hex(32))') in .env), or set CONSOLE=false"
            )
        return None

    def unprotected_warning(self) -> str | None:
        """What a server must say at start when Twilio's webhooks have no token to check them."""
        if self.twilio_auth_token:
            return None
        if self.dev_insecure:
            return (
                "DEV_INSECURE is on and TWILIO_AUTH_TOKEN is empty: /sms and /voice answer ANYONE "
                "without checking Twilio's signature. Never run this way where the internet can "
                "reach it."
            )
        return "TWILIO_AUTH_TOKEN is empty: /sms and /voice refuse every request (403)"
