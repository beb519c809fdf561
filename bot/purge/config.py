"""Whether the purge runs and what to tell an operator when it cannot: no twilio import here.

The Twilio REST client (twilio.rest, requests, urllib3) adds about 10 MB to a worker; init_app
reads these settings first and imports the sweeper only where the purge is on.
"""

from __future__ import annotations

from bot.settings import Settings, SettingsError

CREDENTIALS_HELP = (
    "set TWILIO_ACCOUNT_SID (AC...), TWILIO_API_KEY (SK...) and TWILIO_API_SECRET to an API key "
    "of the bot's account (Twilio Console, API keys & tokens)"
)


def credentials_set(settings: Settings) -> bool:
    """True when the account SID, the API key and its secret are all set."""
    return all(
        (
            settings.twilio_account_sid.strip(),
            settings.twilio_api_key.strip(),
            settings.twilio_api_secret.strip(),
        )
    )


def purge_wanted(settings: Settings) -> bool:
    """Whether the background purge runs: PURGE_MESSAGES, where auto means 'credentials set'."""
    mode = settings.purge_messages.strip().lower()
    if mode in ("", "auto"):
        return credentials_set(settings)
    if mode in ("1", "true", "yes", "on"):
        return True
    if mode in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"PURGE_MESSAGES: not auto, true or false: {settings.purge_messages!r}")


def explain_failure(outcome: str) -> str:
    """A sentence for an operator, for each reason a sweep fails."""
    return {
        "credentials_rejected": "Twilio rejected the credentials (HTTP 401/403); "
        + CREDENTIALS_HELP,
        "credentials_missing": "no credentials; " + CREDENTIALS_HELP,
        "twilio_unreachable": "Twilio's API is unreachable",
        "twilio_error": "Twilio's API kept answering with errors (429/5xx)",
        "no_numbers": "the account has no phone numbers to sweep; set PURGE_NUMBERS",
        "bad_base_url": "TWILIO_API_BASE_URL is not an http(s) URL",
    }.get(outcome, outcome)
