"""The channels people reach the bot by; each answers its own Twilio webhook paths."""
