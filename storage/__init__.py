"""Storage: SQLModel tables (`models`, `cases`), the database (`db`) and the repository (`repo`)."""

from sqlmodel import SQLModel

# Named constraints, so that Alembic (and SQLite batch migrations) can address them later. Set
# here, before any table module is imported, so every table gets them.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
