# Everyday commands. Everything installs into .venv; stamp files re-install only when the
# requirements change. `make run` works on a fresh machine with Python 3.11.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
# `make run PORT=5001` and `PORT=5001 make run` both work (?= takes the environment's value).
HOST ?= 127.0.0.1
PORT ?= 5000
# Reads .env (shell syntax) if there is one, so every command sees the same settings.
ENV := set -a; if [ -f .env ]; then . ./.env; fi; set +a;

.PHONY: run test test-fast lint check install install-dev clean fonts

# The fonts that print Vietnamese, Cyrillic, Chinese and Korean cards (docs/languages.md, Printing):
# Debian's packages, installed when missing and this user may (root); otherwise it says how.
NOTO_FILES := /usr/share/fonts/truetype/noto/NotoSans-Regular.ttf /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
fonts:
	@for f in $(NOTO_FILES); do [ -f $$f ] || missing=yes; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing fonts-noto-core and fonts-noto-cjk (cards and posters in every language)"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-core fonts-noto-cjk >/dev/null; \
		else \
			echo "Note: cards and posters in Vietnamese, Cyrillic, Chinese or Korean need"; \
			echo "  sudo apt-get install fonts-noto-core fonts-noto-cjk"; \
		fi; \
	fi

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

run: $(VENV)/.installed fonts
	@$(ENV) \
	$(BIN)/python -c "import sys; from bot.settings import Settings; \
	refusal = Settings.from_env().refusal_to_serve(); sys.exit(f'Error: {refusal}' if refusal else 0)" && \
	$(FLASK) db upgrade && \
	$(BIN)/python -c "from wsgi import app; from bot import runtime; runtime(app).live.start(); \
	s = runtime(app).live.snapshot; print(f'Serving library revision {s.revision_id} (digest {s.digest[:12]}).')" && \
	echo "" && \
	echo "Try the bot without a phone:" && \
	echo "  $(FLASK) try \"my boss took my passport\"" && \
	echo "" && \
	if [ "$${CONSOLE:-true}" != "false" ]; then \
		echo "The operators' console: http://$(HOST):$(PORT)/console"; \
		echo "Add its first user (an admin; the password needs at least $$($(BIN)/python -c \
			'from bot.console.storage import MIN_PASSWORD_LENGTH as n; print(n)') characters):"; \
		echo "  $(FLASK) users add <name> --role admin"; \
		echo ""; \
	fi && \
	echo "Point a Twilio number at it: Messaging webhook URL https://<your public host>/sms, HTTP POST;" && \
	echo "start the bot with TWILIO_AUTH_TOKEN=<auth token> and PUBLIC_BASE_URL=https://<your public host>" && \
	echo "(see docs/deploying.md: Privacy, including Twilio's message redaction)." && \
	echo "" && \
	if [ -z "$$TWILIO_AUTH_TOKEN" ]; then \
		export DEV_INSECURE=true; \
		echo "################################################################################"; \
		echo "# WARNING: TWILIO_AUTH_TOKEN is not set, so DEV_INSECURE=true: /sms answers     #"; \
		echo "# ANYONE, unsigned. For local tests only; never expose this to the internet.     #"; \
		echo "################################################################################"; \
	fi && \
	echo "Serving on http://$(HOST):$(PORT) (Ctrl-C stops)" && \
	$(FLASK) run --host $(HOST) --port $(PORT) --no-reload

test: $(VENV)/.installed-dev
	$(BIN)/pytest -q -n auto

# The edit loop: the whole suite but the tests marked slow (real gunicorn, nginx, fresh processes,
# database faults), browser (Chromium) and postgres (PostgreSQL's half of the store tests).
test-fast: $(VENV)/.installed-dev
	$(BIN)/pytest -q -n auto -m "not slow and not browser and not postgres"

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

check: $(VENV)/.installed
	@$(ENV) $(FLASK) library check .

clean:
	rm -rf $(VENV)
