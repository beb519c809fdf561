"""Twilio's webhooks: the transport (endpoint.py) and one handler per channel (sms.py; voice.py).

init_app(app) builds the path table, path -> Channel, and puts the endpoint in front of the app.
A new channel is a module here that hands over its Channel(s) by path, and one entry in the path
table init_app builds below.
"""

from __future__ import annotations

from flask import Flask

from bot.channels import endpoint, sms, voice
from bot.runtime import runtime


def init_app(app: Flask) -> None:
    """Serve every Twilio channel through the one endpoint."""
    rt = runtime(app)
    endpoint.init_app(app, {sms.SMS_PATH: sms.sms_channel(rt), **voice.voice_channels(rt)})
    if rt.settings.voice:
        app.register_blueprint(voice.recording_blueprint(rt))
