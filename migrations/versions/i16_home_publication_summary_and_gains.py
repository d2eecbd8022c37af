"""publications.summary (the campaign at a glance, frozen with the boards, for the home
page) and published_gains (the "most improved" boards of the week and month)

Revision ID: i16_home
Revises: i13_accounts
Create Date: 2026-12-03 07:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'i16_home'
down_revision = 'i13_accounts'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('summary', sa.JSON(), nullable=True))
    op.create_table('published_gains',
    sa.Column('publication_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=8), nullable=False),
    sa.Column('board', sa.String(length=12), nullable=False),
    sa.Column('bracket', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('gained', sa.Integer(), nullable=False),
    sa.Column('coverage_gained', sa.Float(), nullable=True),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('share', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['publication_id'], ['publications.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('publication_id', 'period', 'board', 'bracket', 'key'),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('published_gains', schema=None) as batch_op:
        batch_op.create_index('ix_published_gains_rank', ['publication_id', 'period', 'board', 'bracket', 'rank'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('published_gains', schema=None) as batch_op:
        batch_op.drop_index('ix_published_gains_rank')
    op.drop_table('published_gains')
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.drop_column('summary')
