"""published entries keep their commune, indexed with the rank: a commune's page of a board
read in rank order through one index

Revision ID: i16_boards02
Revises: i16_boards01
Create Date: 2026-12-02 22:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'i16_boards02'
down_revision = 'i16_boards01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('published_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('commune_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_published_entries_commune',
                              ['publication_id', 'board', 'bracket', 'commune_id', 'rank', 'key'], unique=False)


def downgrade():
    with op.batch_alter_table('published_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_published_entries_commune')
        batch_op.drop_column('commune_id')
