"""outbox without foreign keys

An ingest writes its deliveries in one transaction, often hundreds of thousands of rows, and
PostgreSQL checked three keys per row with a row-locking lookup. The code keeps the references
true instead (see ita_rent_bot.notifications.models.Delivery).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 03:57:53.419307
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_deliveries_user_id_users"), type_="foreignkey")
        batch_op.drop_constraint(
            batch_op.f("fk_deliveries_filter_id_search_filters"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_deliveries_listing_id_listings"), type_="foreignkey"
        )


def downgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_deliveries_listing_id_listings"),
            "listings",
            ["listing_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_deliveries_filter_id_search_filters"),
            "search_filters",
            ["filter_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_deliveries_user_id_users"),
            "users",
            ["user_id"],
            ["id"],
            ondelete="CASCADE",
        )
