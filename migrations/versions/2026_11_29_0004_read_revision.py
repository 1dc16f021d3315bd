"""read revision

A counter that triggers move on with every change to a user or a search, on SQLite, so each
API process knows when what it keeps for read requests is out of date (read_revision.py).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 08:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# as they were at this revision (a migration does not follow later changes to the app)
_WATCHED = {"users": ("update", "delete"), "search_filters": ("insert", "update", "delete")}
_TRIGGERS = [(table, action) for table, actions in _WATCHED.items() for action in actions]

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "read_revision",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_read_revision")),
    )
    op.execute("INSERT INTO read_revision (id, n) VALUES (1, 0)")
    if op.get_bind().dialect.name == "sqlite":
        for table, action in _TRIGGERS:
            op.execute(
                f"CREATE TRIGGER read_revision_{table}_{action} AFTER {action.upper()} "  # noqa: S608
                f"ON {table} "
                "BEGIN UPDATE read_revision SET n = n + 1 WHERE id = 1; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table, action in _TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS read_revision_{table}_{action}")
    op.drop_table("read_revision")
