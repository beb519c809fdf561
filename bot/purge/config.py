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


def explain_failure(outcome: str, detail: str | None = None) -> str:
    """A sentence for an operator, for each reason a sweep fails (detail: a redirect's target)."""
    if outcome == "twilio_redirected":
        return (
            "Twilio's API answered with a redirect"
            + (f" to {detail}" if detail else " without saying where")
            + ", which it never does: the bot did not follow it. Check TWILIO_API_BASE_URL, and"
            " whether something between the bot and Twilio intercepts its requests"
        )
    return {
        "credentials_rejected": "Twilio rejected the credentials (HTTP 401/403); "
        + CREDENTIALS_HELP,
        "credentials_missing": "no credentials; " + CREDENTIALS_HELP,
        "twilio_unreachable": "Twilio's API is unreachable",
        "twilio_error": "Twilio's API kept answering with errors (429/5xx)",
        "twilio_too_slow": "Twilio's API was too slow: an answer took longer than a request may "
        "(20 s) or than the sweep had left",
        "twilio_too_large": "Twilio's API sent an answer too large to be a page of messages "
        "(over 4 MB); it was not read",
        "stuck": "a sweep has run far past its time limit",
        "no_numbers": "the account has no phone numbers to sweep; set PURGE_NUMBERS",
        "bad_base_url": "TWILIO_API_BASE_URL is not an http(s) URL",
    }.get(outcome, outcome)
