"""Library revisions, the live pointer and anonymous daily counts.

Revision ID: 0001
Revises:
Create Date: 2025-11-25

Privacy rule: no table or column may hold a sender number, a message body or a message id.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "library_revision",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(length=200), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_revision")),
    )
    op.create_index(
        op.f("ix_library_revision_digest"), "library_revision", ["digest"], unique=False
    )
    op.create_table(
        "live_revision",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_live_revision_single_row")),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["library_revision.id"],
            name=op.f("fk_live_revision_revision_id_library_revision"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_revision")),
    )
    op.create_table(
        "daily_count",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.Column("lang", sa.String(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "topic", "lang", name=op.f("pk_daily_count")),
    )


def downgrade() -> None:
    op.drop_table("daily_count")
    op.drop_table("live_revision")
    op.drop_index(op.f("ix_library_revision_digest"), table_name="library_revision")
    op.drop_table("library_revision")
