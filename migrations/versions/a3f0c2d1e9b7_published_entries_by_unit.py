"""published entries by unit: a commune's page of a board without walking the whole board

Revision ID: a3f0c2d1e9b7
Revises: c8bf3cd4a016
Create Date: 2026-11-27 09:55:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a3f0c2d1e9b7'
down_revision = 'c8bf3cd4a016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('published_entries', schema=None) as batch_op:
        batch_op.create_index('ix_published_entries_unit', ['publication_id', 'board', 'bracket', 'unit_id', 'rank'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('published_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_published_entries_unit')
