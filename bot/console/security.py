"""The console's guards: secret key, session cookie and idle timeout, CSRF, login limits, roles,
and the security headers of every console page."""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import secrets
import time
from collections.abc import Callable
from typing import Any

import click
from flask import (
    Flask,
    abort,
    after_this_request,
    current_app,
    g,
    has_request_context,
    redirect,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import RateLimitItem, RateLimitItemPerSecond, parse
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
LOGIN_LIMITED = (
    "Too many failed logins. Wait a few minutes, then try again; a browser that logged in to "
    "this account before is not held back."
)


class SchemeAwareSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the cookie Secure whenever the request was https.

    SESSION_COOKIE_SECURE comes from PUBLIC_BASE_URL; with it empty and PROXY_HOPS set, the
    scheme is the one the proxy saw (werkzeug's ProxyFix reads X-Forwarded-Proto only from the
    proxies declared), so a cookie sent over https is never also sent over plain http.
    """

    def get_cookie_secure(self, app: Flask) -> bool:
        """Secure when configured so, or when this request came over https."""
        configured = bool(app.config["SESSION_COOKIE_SECURE"])
        return configured or (has_request_context() and request.is_secure)


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
    app.session_interface = SchemeAwareSessionInterface()
    csrf.init_app(app)


def _serving() -> bool:
    """Whether this app is being loaded to serve requests: by a WSGI server (gunicorn, no click
    command) or by `flask run`, not by a command such as `flask try`."""
    ctx = click.get_current_context(silent=True)
    return ctx is None or ctx.command.name == "run"


#: The cookie a browser gets at a successful login: it lets that browser try the same account
#: past the limits that hold strangers back (it still has a limit of its own). Signed with
#: SECRET_KEY; it carries the account name and a random nonce, nothing else.
DEVICE_COOKIE = "console_device"
DEVICE_COOKIE_DAYS = 90
_DEVICE_SALT = "console-device"
#: How much longer each window of failures per account is than the one before, and how many
#: more failures it allows: with 5 per 15 minutes, 10 per hour and 20 per 4 hours.
_TIER_GROWTH, _TIER_COUNT = 4, 3
#: Failures per address, whatever the names tried, as a multiple of CONSOLE_LOGIN_LIMIT.
_ADDRESS_FACTOR = 2


def _scaled(item: RateLimitItem, amount_factor: int, window_factor: int) -> RateLimitItem:
    """A limit of amount_factor times the failures in window_factor times the window."""
    return RateLimitItemPerSecond(item.amount * amount_factor, item.get_expiry() * window_factor)


class LoginLimiter:
    """Failed console logins, counted so that they slow an attacker without locking the owner out.

    - per account name and address together: CONSOLE_LOGIN_LIMIT (guessing one password);
    - per address, whatever the names: twice that (trying many names);
    - per account name from anywhere, in growing windows (5 per 15 minutes, 10 per hour, 20 per
      4 hours with the default): a guesser spread over many addresses waits longer and longer;
    - a browser that logged in to the account before (DEVICE_COOKIE) skips all three, so no
      attacker can lock the owner out of it; it has growing windows of its own, so a stolen
      cookie guesses no faster than anyone else.
    Keys are keyed BLAKE2b hashes of the name, the address and the cookie's nonce. With
    memory:// each worker counts on its own (the limits then hold per worker); Redis shares them.
    """

    def __init__(self, limit: str, storage_url: str, secret: str):
        item = parse(limit)
        self.item = item
        self.pair = item
        self.address = _scaled(item, _ADDRESS_FACTOR, 1)
        self.account = [_scaled(item, 2**tier, _TIER_GROWTH**tier) for tier in range(_TIER_COUNT)]
        #: A device cookie's own limit grows like an account's: one stolen cookie guesses no
        #: faster than a stranger spread over many addresses.
        self.device = self.account
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage_url))
        self.secret = secret.encode()

    def _hash(self, *parts: str) -> str:
        value = "\x00".join(parts).encode("utf-8", "surrogatepass")
        return hashlib.blake2b(value, key=self.secret[:64], digest_size=16).hexdigest()

    def _limits(self, name: str, address: str) -> list[tuple[RateLimitItem, str, str]]:
        """(limit, namespace, key) of every count this attempt is held to."""
        account = name.strip().lower()
        nonce = _device_nonce(account)
        if nonce is not None:
            return [
                (tier, f"console-login-device-{index}", self._hash(nonce))
                for index, tier in enumerate(self.device)
            ]
        return [
            (self.pair, "console-login-pair", self._hash(account, address)),
            (self.address, "console-login-addr", self._hash(address)),
            *(
                (tier, f"console-login-name-{index}", self._hash(account))
                for index, tier in enumerate(self.account)
            ),
        ]

    def allowed(self, name: str, address: str) -> bool:
        """False when this attempt has failed too often lately, by any count it is held to."""
        return all(
            self.limiter.test(item, ns, key) for item, ns, key in self._limits(name, address)
        )

    def failed(self, name: str, address: str) -> None:
        """Count one failed login in every count the attempt is held to."""
        for item, ns, key in self._limits(name, address):
            self.limiter.hit(item, ns, key)


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=_DEVICE_SALT)


def _device_nonce(account: str) -> str | None:
    """The nonce of this browser's device cookie if it is valid for this account name."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw or not account:
        return None
    try:
        value = _device_serializer().loads(raw, max_age=DEVICE_COOKIE_DAYS * 86400)
    except BadSignature:
        return None
    if not isinstance(value, dict) or value.get("u") != account:
        return None
    nonce = value.get("n")
    return nonce if isinstance(nonce, str) else None


def _remember_device(account: Account) -> None:
    """Give this browser a device cookie for the account, with the answer to this request."""
    value = _device_serializer().dumps({"u": account.name.lower(), "n": secrets.token_hex(16)})

    @after_this_request
    def set_cookie(response: Any) -> Any:
        response.set_cookie(
            DEVICE_COOKIE,
            value,
            max_age=DEVICE_COOKIE_DAYS * 86400,
            path="/console/login",
            secure=current_app.session_interface.get_cookie_secure(current_app),
            httponly=True,
            samesite="Strict",
        )
        return response


#: However busy, a session ends this long after its login (a cookie in steady use, stolen or
#: not, never lives for ever); the idle limit, CONSOLE_IDLE_MINUTES, ends most sooner.
SESSION_MAX_SECONDS = 12 * 3600


def start_session(account: Account) -> None:
    """A fresh session for an account (a new cookie, so a planted one is never reused)."""
    session.clear()
    session.permanent = True
    session["uid"] = account.id
    session["epoch"] = account.session_epoch
    session["seen"] = session["started"] = int(time.time())
    _remember_device(account)


def end_session(console: Any) -> None:
    """Log out: the account's session version goes up, so this session and any copy of its
    cookie stop opening pages in every worker (each request compares it with the database)."""
    account: Account | None = g.get("account")
    if account is not None:
        console.end_sessions(account.name)
    session.clear()


def current_account(console: Any, idle_seconds: int) -> Account | None:
    """The logged-in account, or None after logout, idle timeout, disable or password reset."""
    uid = session.get("uid")
    if uid is None:
        return None
    seen, now = session.get("seen", 0), time.time()
    if now - seen > idle_seconds or now - session.get("started", 0) > SESSION_MAX_SECONDS:
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
    """The address a login comes from, as the proxy in front saw it.

    - PROXY_HOPS=N with PUBLIC_BASE_URL empty: werkzeug's ProxyFix has already put the address
      the N declared proxies saw in remote_addr.
    - PROXY_HOPS=N with PUBLIC_BASE_URL set (no ProxyFix): the N-th X-Forwarded-For entry from
      the right.
    - PROXY_HOPS=0: when the request comes from this host (loopback, or gunicorn's unix socket),
      a proxy on this host sent it, and the last X-Forwarded-For entry is the address that proxy
      saw: deploy/nginx-bot.conf sets the header to it, overwriting anything a client sent. From
      anywhere else the header is the client's own to write, and is ignored.
    Without this every login behind the proxy seemed to come from 127.0.0.1, and anyone's failed
    logins locked every operator out.
    """
    peer = request.remote_addr or ""
    forwarded = [
        a.strip() for a in request.headers.get("X-Forwarded-For", "").split(",") if a.strip()
    ]
    hops = settings.proxy_hops
    if hops > 0:
        if settings.public_base_url and len(forwarded) >= hops:
            return forwarded[-hops]
        return peer or "unknown"
    if forwarded and _from_this_host(peer):
        return forwarded[-1]
    return peer or "unknown"


def _from_this_host(peer: str) -> bool:
    """True for a loopback address, or none at all (a unix socket, as with BIND=unix:...)."""
    if not peer:
        return True
    try:
        return ipaddress.ip_address(peer).is_loopback
    except ValueError:
        return False


def app_limiter() -> LoginLimiter:
    """This app's login limiter."""
    return current_app.extensions["console"].limiter
