"""a note per price drop

A listing whose price drops twice was announced once: the outbox's unique key had no room for
a second price-drop row. The new price joins the key (0 on every other kind of note).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 06:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD = ["user_id", "listing_id", "channel", "kind"]


def upgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("drop_price", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.drop_constraint(
            batch_op.f("uq_deliveries_user_id_listing_id_channel_kind"), type_="unique"
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_deliveries_user_id_listing_id_channel_kind_drop_price"),
            [*_OLD, "drop_price"],
        )


def downgrade() -> None:
    # one price-drop row per user, listing and channel again: the latest drop's is kept
    deliveries = sa.table(
        "deliveries",
        sa.column("id", sa.Integer),
        *(sa.column(name) for name in _OLD),
    )
    later = deliveries.alias("later")
    op.execute(
        deliveries.delete().where(
            sa.exists().where(
                *(later.c[name] == deliveries.c[name] for name in _OLD),
                later.c.id > deliveries.c.id,
            )
        )
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_deliveries_user_id_listing_id_channel_kind_drop_price"), type_="unique"
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_deliveries_user_id_listing_id_channel_kind"), _OLD
        )
        batch_op.drop_column("drop_price")
