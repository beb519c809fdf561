"""A small verified-number registry for tests: the hotline (call and text) and 911."""

HOTLINE_AND_911 = """\
numbers:
  - id: hotline
    number: "1-888-373-7888"
    what: National Human Trafficking Hotline
    source: test
    verified: 2026-11-24
  - id: hotline-text
    number: "233733"
    what: Hotline, text
    source: test
    verified: 2026-11-24
  - id: emergency
    number: "911"
    what: Emergency services
    source: test
    verified: 2026-11-24
"""
