"""The pure core: library values, normalisation, matching, replies and SMS encoding."""
