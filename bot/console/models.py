"""The console's tables: operator accounts, the shared draft and the audit trail.

They live on the store's MetaData so that one Alembic history (bot/store/migrations) covers them.
Privacy rule as for the store: nothing here holds a texter's number, message or message id; the
audit trail names operators and what they did to the library or to accounts, nothing else.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Integer,
    String,
    Table,
)

from bot.store.models import metadata

#: Longest operator name.
NAME_MAX = 64
#: Roles, each allowed what the one before it may do, and more.
ROLES = ("editor", "publisher", "admin")

#: One operator: a name, an argon2id hash and a role (editor, publisher or admin).
console_account = Table(
    "console_account",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(NAME_MAX), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(16), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    #: Bumped on a password reset or disable, so that sessions opened before it end.
    Column("session_epoch", Integer, nullable=False),
)

#: The one shared draft (id=1): a whole library bundle and the revision it was started from.
console_draft = Table(
    "console_draft",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("base_revision_id", Integer, nullable=True),
    Column("content", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(NAME_MAX), nullable=False),
    CheckConstraint("id = 1", name="single_row"),
)

#: What operators did: logins, failed logins, publishes, rollbacks, account changes.
console_audit = Table(
    "console_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("actor", String(NAME_MAX), nullable=False),
    Column("action", String(32), nullable=False),
    Column("detail", String(500), nullable=False),
)

#: Refused console logins, counted per day, account and reason instead of a row each: anyone may
#: post the login form, and a row per refusal let one client add 125 rows a second and push
#: operators' actions off the audit page. account is the name of an existing account that was
#: tried, or "" for every name that is no account (made-up names are not kept); reason is
#: failed (a wrong name or password) or limited (refused by the login limits before checking).
#: So strangers add at most (accounts + 1) x 2 rows a day.
console_login_refusal = Table(
    "console_login_refusal",
    metadata,
    Column("day", Date, primary_key=True),
    Column("account", String(NAME_MAX), primary_key=True),
    Column("reason", String(16), primary_key=True),
    Column("count", Integer, nullable=False),
)
