"""Refused console logins as counts per day, account and reason, not an audit row each.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07

Privacy rule: no table or column may hold a sender number, a message body or a message id. This
one holds operator account names only; a name that is no account is stored as "".
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "console_login_refusal",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "account", "reason", name=op.f("pk_console_login_refusal")),
    )


def downgrade() -> None:
    op.drop_table("console_login_refusal")
