"""Twilio's webhooks: the transport (endpoint.py) and one handler per channel (sms.py; voice.py).

init_app(app) builds the path table, path -> Channel, and puts the endpoint in front of the app.
A new channel is a module here with a handler and a path, and one line in CHANNELS below.
"""

from __future__ import annotations

from flask import Flask

from bot.channels import endpoint, sms, voice
from bot.runtime import runtime


def init_app(app: Flask) -> None:
    """Serve every Twilio channel through the one endpoint."""
    bot = runtime(app)
    endpoint.init_app(app, {sms.SMS_PATH: sms.sms_channel(bot), **voice.voice_channels(bot)})
