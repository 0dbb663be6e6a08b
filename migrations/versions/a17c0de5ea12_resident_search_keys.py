"""resident search keys: full pinyin, phone and ID-number tails

Revision ID: a17c0de5ea12
Revises: eebca2495a4a
Create Date: 2026-12-02 17:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a17c0de5ea12'
down_revision = 'eebca2495a4a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_pinyin', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('phone_tail', sa.String(length=4), nullable=True))
        batch_op.add_column(sa.Column('id_tail', sa.String(length=4), nullable=True))
    _fill()
    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.create_index('ix_resident_name_pinyin', ['name_pinyin'], unique=False,
                              postgresql_ops={'name_pinyin': 'text_pattern_ops'})
        batch_op.create_index('ix_resident_phone_tail', ['phone_tail'], unique=False)
        batch_op.create_index('ix_resident_id_tail', ['id_tail'], unique=False)


def _fill():
    """The keys of the residents already archived (records.rules.search_keys)."""
    from healthgrid.records.rules import search_keys
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, name, phone, id_number FROM resident")).all()
    update = sa.text("UPDATE resident SET name_pinyin = :name_pinyin, "
                     "phone_tail = :phone_tail, id_tail = :id_tail WHERE id = :id")
    batch = []
    for resident_id, name, phone, id_number in rows:
        keys = search_keys(name, phone, id_number)
        batch.append({"id": resident_id, "name_pinyin": keys["name_pinyin"],
                      "phone_tail": keys["phone_tail"], "id_tail": keys["id_tail"]})
        if len(batch) == 5000:
            bind.execute(update, batch)
            batch = []
    if batch:
        bind.execute(update, batch)


def downgrade():
    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.drop_index('ix_resident_id_tail')
        batch_op.drop_index('ix_resident_phone_tail')
        batch_op.drop_index('ix_resident_name_pinyin')
        batch_op.drop_column('id_tail')
        batch_op.drop_column('phone_tail')
        batch_op.drop_column('name_pinyin')
