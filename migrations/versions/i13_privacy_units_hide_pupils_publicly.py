"""units.hide_pupils_publicly: a school may keep its pupils off the public pages

Revision ID: i13privacy01
Revises: a3f0c2d1e9b7
Create Date: 2026-12-02 07:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'i13privacy01'
down_revision = 'a3f0c2d1e9b7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hide_pupils_publicly', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_column('hide_pupils_publicly')
