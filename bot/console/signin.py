"""Console pages for sign-in and accounts: login and logout, the accounts (admin) and the audit
trail of what operators did (admin)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for

from bot.console.audit_page import audit_page_values
from bot.console.blueprint import audit, bp, console_store, settings
from bot.console.security import (
    LOGIN_FAILED,
    LOGIN_LIMITED,
    app_limiter,
    client_address,
    end_session,
    requires,
    start_session,
)
from bot.console.storage import AccountError


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """The login form; the same answer for an unknown name and a wrong password."""
    console = console_store()
    error = None
    if request.method == "POST":
        name = request.form.get("username", "")[:200]
        password = request.form.get("password", "")
        limiter, address = app_limiter(), client_address(settings())
        # Refusals are counted per day and account, never a row each: anyone may post here.
        if not limiter.allowed(name, address):
            error = LOGIN_LIMITED
            console.count_refusal(name, "limited")
        else:
            account = console.verify(name, password)
            if account is None:
                limiter.failed(name, address)
                error = LOGIN_FAILED
                console.count_refusal(name, "failed")
            else:
                start_session(account)
                console.audit(account.name, "login", account.role)
                return redirect(url_for("console.index"))
    status = 401 if error else 200
    return render_template(
        "console/login.html", error=error, no_accounts=console.account_count() == 0
    ), status


@bp.post("/logout")
def logout() -> Any:
    """End the session, and every copy of its cookie: the account's sessions end in every worker."""
    end_session(console_store())
    return redirect(url_for("console.login"))


@bp.get("/audit", endpoint="audit")
@requires("admin")
def audit_page() -> Any:
    """What operators did, newest first, a page at a time, filtered by operator or action; and
    the refused logins of the last days, as counts."""
    page = audit_page_values(console_store(), request.args)
    return render_template("console/audit.html", **page), (400 if page["error"] else 200)


@bp.route("/accounts", methods=["GET", "POST"])
@requires("admin")
def accounts() -> Any:
    """List accounts; add one."""
    console = console_store()
    error = None
    if request.method == "POST":
        try:
            account = console.add_account(
                request.form.get("username", ""),
                request.form.get("password", ""),
                request.form.get("role", ""),
            )
        except AccountError as exc:
            error = str(exc)
        else:
            audit("account_add", f"{account.name} ({account.role})")
            flash(f"Created {account.role} account {account.name}.")
            return redirect(url_for("console.accounts"))
    return render_template("console/accounts.html", accounts=console.accounts(), error=error), (
        400 if error else 200
    )


@bp.post("/accounts/<name>/<action>")
@requires("admin")
def account_action(name: str, action: str) -> Any:
    """Disable, enable, change the role of, or set a new password for an account."""
    console = console_store()
    try:
        if action == "disable":
            if name == g.account.name:
                raise AccountError("you cannot disable your own account")
            account = console.set_active(name, False)
            detail = account.name
        elif action == "enable":
            account = console.set_active(name, True)
            detail = account.name
        elif action == "role":
            account = console.set_role(name, request.form.get("role", ""))
            detail = f"{account.name} -> {account.role}"
        elif action == "password":
            account = console.reset_password(name, request.form.get("password", ""))
            detail = account.name
        else:
            abort(404)
    except AccountError as exc:
        flash(str(exc))
        return redirect(url_for("console.accounts"))
    audit(f"account_{action}", detail)
    flash(f"Done: {action} for {account.name}.")
    return redirect(url_for("console.accounts"))
