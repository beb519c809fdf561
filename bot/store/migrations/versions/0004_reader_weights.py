"""Trained readers kept in the database, so that workers load the reader publishing trained.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07

Privacy rule: no table or column may hold a sender number, a message body or a message id. This
one holds a reader's weights, learned from the library's operator-written example texts.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reader_weights",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_reader_weights")),
    )


def downgrade() -> None:
    op.drop_table("reader_weights")
