"""The console's guards: secret key, session cookie and idle timeout, CSRF, login limits, roles,
and the security headers of every console page."""

from __future__ import annotations

import functools
import hashlib
import secrets
import time
from collections.abc import Callable
from typing import Any

import click
from flask import Flask, abort, current_app, g, redirect, request, session, url_for
from flask_wtf.csrf import CSRFProtect
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from bot.console.storage import Account
from bot.settings import Settings, SettingsError

csrf = CSRFProtect()

#: No script or style but the console's own files, no framing, forms post only back here.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    # Pages hold unpublished drafts and account lists: no cache along the way may keep them.
    "Cache-Control": "no-store",
}
#: Same answer for an unknown name and a wrong password, so neither can be told from the other.
LOGIN_FAILED = "Wrong name or password."
LOGIN_LIMITED = "Too many failed logins. Wait a few minutes, then try again."


def configure(app: Flask, settings: Settings) -> None:
    """Secret key, session cookie flags and CSRF for the console."""
    refusal = settings.refusal_to_serve()
    if settings.secret_key:
        app.secret_key = settings.secret_key
    elif refusal and _serving():
        ctx = click.get_current_context(silent=True)
        if ctx is not None:  # `flask run`: one line, as click says any command's error
            raise click.ClickException(refusal)
        raise SettingsError(refusal)  # gunicorn's master has said it already (on_starting)
    else:
        # A command that never serves the console (`flask try`, `library check`) needs no
        # lasting key. Said by the servers at start (Settings.start_warnings), not by commands.
        app.secret_key = secrets.token_hex(32)
    app.config.update(
        SESSION_COOKIE_NAME="console_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.public_base_url.strip().lower().startswith("https://"),
        SESSION_COOKIE_PATH="/console",
        PERMANENT_SESSION_LIFETIME=settings.console_idle_minutes * 60,
        # Only the console's views are checked (console.before_request): the Twilio endpoints
        # never carry a CSRF token and must never be asked for one.
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session, which times out
    )
    csrf.init_app(app)


def _serving() -> bool:
    """Whether this app is being loaded to serve requests: by a WSGI server (gunicorn, no click
    command) or by `flask run`, not by a command such as `flask try`."""
    ctx = click.get_current_context(silent=True)
    return ctx is None or ctx.command.name == "run"


class LoginLimiter:
    """Failed logins per account name and per address, in a moving window; keys are hashed."""

    def __init__(self, limit: str, storage_url: str, secret: str):
        self.item = parse(limit)
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage_url))
        self.secret = secret.encode()

    def _keys(self, name: str, address: str) -> tuple[str, str]:
        def h(value: str) -> str:
            return hashlib.blake2b(value.encode(), key=self.secret[:64], digest_size=16).hexdigest()

        return h(name.strip().lower()), h(address)

    def allowed(self, name: str, address: str) -> bool:
        """False when this name or this address has failed too often lately."""
        k_name, k_addr = self._keys(name, address)
        return self.limiter.test(self.item, "console-login-name", k_name) and self.limiter.test(
            self.item, "console-login-addr", k_addr
        )

    def failed(self, name: str, address: str) -> None:
        """Count one failed login against the name and the address."""
        k_name, k_addr = self._keys(name, address)
        self.limiter.hit(self.item, "console-login-name", k_name)
        self.limiter.hit(self.item, "console-login-addr", k_addr)


def start_session(account: Account) -> None:
    """A fresh session for an account (a new cookie, so a planted one is never reused)."""
    session.clear()
    session.permanent = True
    session["uid"] = account.id
    session["epoch"] = account.session_epoch
    session["seen"] = int(time.time())


def current_account(console: Any, idle_seconds: int) -> Account | None:
    """The logged-in account, or None after logout, idle timeout, disable or password reset."""
    uid = session.get("uid")
    if uid is None:
        return None
    seen = session.get("seen", 0)
    if time.time() - seen > idle_seconds:
        session.clear()
        return None
    account = console.get_account(uid)
    if account is None or not account.active or account.session_epoch != session.get("epoch"):
        session.clear()
        return None
    session["seen"] = int(time.time())
    return account


def requires(role: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A view for logged-in accounts of at least this role; others get the login page or 403."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            account: Account | None = g.get("account")
            if account is None:
                return redirect(url_for("console.login"))
            if not account.can(role):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate


def add_headers(response: Any) -> Any:
    """The console's security headers on every console response."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def client_address(settings: Settings) -> str:
    """The address a login comes from: behind PROXY_HOPS proxies, the one they saw.

    With PUBLIC_BASE_URL set the app applies no ProxyFix, and every login would seem to come from
    the proxy: one address for everyone, so anyone's failed logins would lock all others out.
    """
    hops = settings.proxy_hops
    if hops > 0 and settings.public_base_url:
        forwarded = [
            a.strip() for a in request.headers.get("X-Forwarded-For", "").split(",") if a.strip()
        ]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.remote_addr or "unknown"


def app_limiter() -> LoginLimiter:
    """This app's login limiter."""
    return current_app.extensions["console"].limiter
