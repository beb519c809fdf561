"""The console's own records in the bot's database: accounts, the shared draft and the audit trail.

ConsoleStore is a repository on the store's Database seam (bot/store/database.py), beside the
library's Store: it reads and writes its own tables through Database.read/write/upsert only.

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106's second recommendation:
t=3, m=64 MiB, p=4, above OWASP's minimum of t=2, m=19 MiB, p=1).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, insert, select, update

from bot.console.models import (
    NAME_MAX,
    ROLES,
    console_account,
    console_audit,
    console_draft,
    console_login_refusal,
)
from bot.store import Database, Store, StoreError

#: Shortest password accepted (OWASP: at least 8; a shared office machine argues for more).
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
#: PostgreSQL advisory lock taken while the draft is read and rewritten.
DRAFT_LOCK_KEY = 0x5B07_D4AF
_NAME = re.compile(rf"^[a-z0-9][a-z0-9._-]{{0,{NAME_MAX - 1}}}$")

_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when a name is unknown, so a wrong name costs as long as a wrong password.

    Made on first use, not at import: each worker would otherwise spend a 64 MiB hash starting.
    """
    return _hasher.hash("not a password of anyone")


class AccountError(StoreError):
    """An account cannot be created or changed as asked; the message is fit to show an operator."""


@dataclass(frozen=True)
class Account:
    """An operator account, without its password hash."""

    id: int
    name: str
    role: str
    active: bool
    created_at: datetime
    session_epoch: int

    def can(self, role: str) -> bool:
        """True when this account's role includes `role` (admin > publisher > editor)."""
        return ROLES.index(self.role) >= ROLES.index(role)


@dataclass(frozen=True)
class Draft:
    """The shared draft: a whole library bundle as operators typed it, and its base revision."""

    bundle: dict[str, str]
    base_revision_id: int | None
    updated_at: datetime
    updated_by: str


@dataclass(frozen=True)
class AuditEntry:
    """One thing an operator did."""

    at: datetime
    actor: str
    action: str
    detail: str


#: Why a login was refused, as counted: a wrong name or password, or the login limits.
REFUSAL_REASONS = ("failed", "limited")


@dataclass(frozen=True)
class RefusalCount:
    """Refused logins of one day for one account ("" for names that are no account)."""

    day: date
    account: str
    reason: str
    count: int


def check_name(name: str) -> str:
    """The account name, lower-cased; AccountError unless it is a short slug."""
    name = (name or "").strip().lower()
    if not _NAME.match(name):
        raise AccountError(
            f"an account name is 1-{NAME_MAX} letters, digits, '.', '_' or '-', starting with a "
            "letter or digit"
        )
    return name


def check_role(role: str) -> str:
    """The role, if it is one of ROLES."""
    if role not in ROLES:
        raise AccountError(f"the role must be one of {', '.join(ROLES)}")
    return role


def check_password(password: str) -> str:
    """The password, if long enough (and not absurdly long: hashing is costly)."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"a password may have at most {MAX_PASSWORD_LENGTH} characters")
    return password


def _account(row: Any) -> Account:
    return Account(
        id=row.id,
        name=row.name,
        role=row.role,
        active=bool(row.active),
        created_at=_utc(row.created_at),
        session_epoch=row.session_epoch,
    )


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class ConsoleStore:
    """Accounts, the draft and the audit trail, in the same database as the library."""

    def __init__(self, database: Database | Store):
        #: the Database it reads and writes; a Store gives its own
        self.database = database.database if isinstance(database, Store) else database

    # -- accounts --

    def add_account(self, name: str, password: str, role: str) -> Account:
        """Create an account; AccountError if the name is taken or a value is unfit."""
        name, role = check_name(name), check_role(role)
        hashed = _hasher.hash(check_password(password))
        with self.database.write() as conn:
            if conn.scalar(select(console_account.c.id).where(console_account.c.name == name)):
                raise AccountError(f"there is already an account {name!r}")
            row = conn.execute(
                insert(console_account)
                .values(
                    name=name,
                    password_hash=hashed,
                    role=role,
                    active=True,
                    created_at=datetime.now(UTC),
                    session_epoch=0,
                )
                .returning(*console_account.c)
            ).one()
        return _account(row)

    def accounts(self) -> list[Account]:
        """Every account, by name."""
        with self.database.read() as conn:
            rows = conn.execute(select(console_account).order_by(console_account.c.name)).all()
        return [_account(r) for r in rows]

    def account_count(self) -> int:
        """How many accounts exist (the login page explains how to create the first)."""
        with self.database.read() as conn:
            return int(conn.scalar(select(func.count()).select_from(console_account)) or 0)

    def get_account(self, account_id: int) -> Account | None:
        """An account by id, or None."""
        with self.database.read() as conn:
            row = conn.execute(
                select(console_account).where(console_account.c.id == account_id)
            ).one_or_none()
        return _account(row) if row is not None else None

    def _change(self, name: str, **values: Any) -> Account:
        name = check_name(name)
        t = console_account
        with self.database.write() as conn:
            row = conn.execute(
                update(t)
                .where(t.c.name == name)
                .values(**values, session_epoch=t.c.session_epoch + 1)
                .returning(*t.c)
            ).one_or_none()
        if row is None:
            raise AccountError(f"there is no account {name!r}")
        return _account(row)

    def set_active(self, name: str, active: bool) -> Account:
        """Disable (or enable again) an account; its open sessions end."""
        return self._change(name, active=active)

    def set_role(self, name: str, role: str) -> Account:
        """Give an account another role; its open sessions end."""
        return self._change(name, role=check_role(role))

    def reset_password(self, name: str, password: str) -> Account:
        """Set a new password; the account's open sessions end."""
        return self._change(name, password_hash=_hasher.hash(check_password(password)))

    def end_sessions(self, name: str) -> Account:
        """End every open session of an account (its session version goes up), as logout does."""
        return self._change(name)

    def verify(self, name: str, password: str) -> Account | None:
        """The active account with this name and password, else None; as slow for an unknown name."""
        try:
            name = check_name(name)
        except AccountError:
            name = ""
        row = None
        if name:
            with self.database.read() as conn:
                row = conn.execute(
                    select(console_account).where(console_account.c.name == name)
                ).one_or_none()
        stored = row.password_hash if row is not None else _dummy_hash()
        try:
            _hasher.verify(stored, (password or "")[:MAX_PASSWORD_LENGTH])
        except (VerificationError, InvalidHashError):
            return None
        if row is None or not row.active:
            return None
        if _hasher.check_needs_rehash(stored):
            with self.database.write() as conn:
                conn.execute(
                    update(console_account)
                    .where(console_account.c.id == row.id)
                    .values(password_hash=_hasher.hash(password))
                )
        return _account(row)

    def known_name(self, name: str) -> str | None:
        """The account name if one exists with this name (for the audit of failed logins)."""
        try:
            name = check_name(name)
        except AccountError:
            return None
        with self.database.read() as conn:
            found = conn.scalar(
                select(console_account.c.name).where(console_account.c.name == name)
            )
        return found

    # -- the draft --

    def draft(self) -> Draft | None:
        """The shared draft, or None when nobody has started one."""
        with self.database.read() as conn:
            row = conn.execute(select(console_draft).where(console_draft.c.id == 1)).one_or_none()
        if row is None:
            return None
        content = json.loads(row.content) if isinstance(row.content, str) else row.content
        return Draft(
            bundle={str(k): str(v) for k, v in content.items()},
            base_revision_id=row.base_revision_id,
            updated_at=_utc(row.updated_at),
            updated_by=row.updated_by,
        )

    def change_draft(
        self,
        change: Callable[[dict[str, str]], dict[str, str]],
        *,
        start: tuple[dict[str, str], int | None],
        by: str,
    ) -> dict[str, str]:
        """Apply `change` to the draft's files (or to `start`'s, a bundle and its revision, when
        there is no draft) and save the result, in one write transaction: two operators saving
        different topics at once both keep their edit. Whatever `change` raises rolls it back."""
        with self.database.write() as conn:
            if self.database.dialect == "postgresql":
                # FOR UPDATE locks no row while there is no draft yet: two first edits would
                # both insert. SQLite's writers queue already (BEGIN IMMEDIATE).
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({DRAFT_LOCK_KEY})")
            row = conn.execute(
                select(console_draft).where(console_draft.c.id == 1).with_for_update()
            ).one_or_none()
            if row is None:
                bundle, base = dict(start[0]), start[1]
            else:
                content = json.loads(row.content) if isinstance(row.content, str) else row.content
                bundle = {str(k): str(v) for k, v in content.items()}
                base = row.base_revision_id
            changed = change(bundle)
            values = {
                "content": dict(sorted(changed.items())),
                "base_revision_id": base,
                "updated_at": datetime.now(UTC),
                "updated_by": by[:NAME_MAX],
            }
            conn.execute(
                self.database.upsert(console_draft)
                .values(id=1, **values)
                .on_conflict_do_update(index_elements=["id"], set_=values)
            )
        return changed

    def discard_draft(self) -> None:
        """Forget the draft."""
        with self.database.write() as conn:
            conn.execute(delete(console_draft))

    # -- the audit trail --

    def audit(self, actor: str, action: str, detail: str = "") -> None:
        """Record what an operator did (operator names and library facts only)."""
        with self.database.write() as conn:
            conn.execute(
                insert(console_audit).values(
                    at=datetime.now(UTC),
                    actor=actor[:NAME_MAX],
                    action=action[:32],
                    detail=detail[:500],
                )
            )

    def draft_editors(self, scan: int = 2000) -> list[str]:
        """Who saved edits in the draft since it was started (the draft's last editor first),
        read from the audit trail back to the last publish or discard."""
        t = console_audit
        ends = ("publish", "draft_discard")
        with self.database.read() as conn:
            rows = conn.execute(
                select(t.c.actor, t.c.action)
                .where(t.c.action.in_(("draft_save", *ends)))
                .order_by(t.c.id.desc())
                .limit(scan)
            ).all()
        names: list[str] = []
        for row in rows:
            if row.action in ends:
                break
            if row.actor not in names:
                names.append(row.actor)
        draft = self.draft()
        if draft is not None and draft.updated_by not in names:
            names.insert(0, draft.updated_by)
        return names

    def audit_entries_of(self, action: str, limit: int = 200) -> list[AuditEntry]:
        """The newest audit entries of one action first (e.g. the rollbacks History shows)."""
        t = console_audit
        with self.database.read() as conn:
            rows = conn.execute(
                select(t).where(t.c.action == action).order_by(t.c.id.desc()).limit(limit)
            ).all()
        return [AuditEntry(_utc(r.at), r.actor, r.action, r.detail) for r in rows]

    def audit_entries(
        self, limit: int = 200, offset: int = 0, actor: str = "", action: str = ""
    ) -> list[AuditEntry]:
        """The newest audit entries first, from `offset` on; only an actor's or an action's when
        given."""
        t = console_audit
        query = select(t)
        if actor:
            query = query.where(t.c.actor == actor[:NAME_MAX])
        if action:
            query = query.where(t.c.action == action[:32])
        query = query.order_by(t.c.id.desc()).limit(limit).offset(offset)
        with self.database.read() as conn:
            rows = conn.execute(query).all()
        return [AuditEntry(_utc(r.at), r.actor, r.action, r.detail) for r in rows]

    def audit_actions(self) -> list[str]:
        """Every kind of action the audit trail holds, for its filter."""
        t = console_audit
        with self.database.read() as conn:
            return list(conn.scalars(select(t.c.action).distinct().order_by(t.c.action)))

    def count_refusal(self, name: str, reason: str) -> None:
        """Count one refused login against today, the account tried ("" if the name is no
        account, so made-up names are never kept) and the reason: one row per day for each."""
        if reason not in REFUSAL_REASONS:
            raise ValueError(f"unknown refusal reason {reason!r}")
        t = console_login_refusal
        row = {
            "day": datetime.now(UTC).date(),
            "account": self.known_name(name) or "",
            "reason": reason,
        }
        upsert = self.database.upsert(t).values(**row, count=1)
        upsert = upsert.on_conflict_do_update(
            index_elements=["day", "account", "reason"], set_={"count": t.c.count + 1}
        )
        with self.database.write() as conn:
            conn.execute(upsert)

    def login_refusals(self, since: date) -> list[RefusalCount]:
        """Refused logins from `since` on, newest day first."""
        t = console_login_refusal
        with self.database.read() as conn:
            rows = conn.execute(
                select(t).where(t.c.day >= since).order_by(t.c.day.desc(), t.c.account, t.c.reason)
            ).all()
        return [RefusalCount(r.day, r.account, r.reason, r.count) for r in rows]
