"""Alembic environment for Attune (generic: every table module is imported below).

Run programmatically by :func:`service.storage.database.upgrade`, which passes an
open connection in ``config.attributes["connection"]``. From the command line
(for ``revision --autogenerate``)::

    ATTUNE_DATABASE_URL=sqlite:///var/attune.db alembic -c service/migrations/alembic.ini upgrade head
    ATTUNE_DATABASE_URL=sqlite:///var/attune.db alembic -c service/migrations/alembic.ini \
        revision --autogenerate -m "what changed"

Every module of the ``service.storage`` package is imported below, so a table model
defined in any of them is part of ``target_metadata`` (and seen by autogenerate).
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from logging.config import fileConfig

import sqlalchemy as sa
from alembic import context
from sqlmodel import SQLModel

import service.storage
from service.storage.database import make_engine, normalize_url

for _module in pkgutil.iter_modules(service.storage.__path__, "service.storage."):
    importlib.import_module(_module.name)  # registers its tables on SQLModel.metadata

config = context.config
target_metadata = SQLModel.metadata

if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _configure(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things: later revisions use batch mode there.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def _url() -> sa.URL:
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("ATTUNE_DATABASE_URL")
    if not url:
        raise RuntimeError("set ATTUNE_DATABASE_URL (or sqlalchemy.url) to the database to migrate")
    return normalize_url(url)


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url())
    try:
        with engine.begin() as connection:
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
