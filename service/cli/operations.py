"""``attune serve`` and ``attune db …`` (CLI layer): the operator's commands, run beside the database.

Unlike the staff's commands (:mod:`service.cli.staff`), these do not call a running service: they
start it (:mod:`service.api.server`) or migrate its database (:mod:`service.storage.database`).
"""

from __future__ import annotations

from typing import Annotated

import typer

from service.cli.common import DEFAULT_ADDRESS, AddressOpt, fail, out
from service.config import Config

__all__ = ["db_app", "serve"]

db_app = typer.Typer(no_args_is_help=True, help="Database schema (Alembic).")

DatabaseOpt = Annotated[
    str | None, typer.Option("--database-url", envvar="ATTUNE_DATABASE_URL", help="SQLAlchemy database URL")
]


def serve(
    address: AddressOpt = DEFAULT_ADDRESS,
    database_url: DatabaseOpt = None,
    seed_demo_if_empty: Annotated[
        bool, typer.Option(help="seed a synthetic demo catalog when the catalog is empty")
    ] = False,
    demo_count: Annotated[int, typer.Option(help="size of the demo catalog")] = 1000,
    processes: Annotated[
        int | None, typer.Option(help="server processes sharing the port (env ATTUNE_PROCESSES; default 1)")
    ] = None,
) -> None:
    """Start the gRPC service (stops gracefully on SIGTERM)."""
    from service.api.server import serve as run_server
    from service.logs import configure_logging
    from service.storage.database import SchemaOutOfDate

    config = Config.from_env(address=address, database_url=database_url, processes=processes)
    configure_logging(config.log_level)
    if seed_demo_if_empty:
        from service.usecases.demo import seed_demo_if_empty as seed

        try:
            seed(config.database_url, demo_count)
        except SchemaOutOfDate as error:
            raise fail(str(error)) from error
    try:
        run_server(config)
    except SchemaOutOfDate as error:
        raise fail(str(error)) from error
    except OSError as error:
        raise fail(f"cannot serve on {config.address}: {error}") from error
    except RuntimeError as error:  # a server process died
        raise fail(str(error)) from error


@db_app.command("upgrade")
def db_upgrade(database_url: DatabaseOpt = None) -> None:
    """Migrate the database schema to the newest version."""
    from service.storage.database import current_revision, upgrade

    url = Config.from_env(database_url=database_url).database_url
    upgrade(url)
    out.print(f"database at revision {current_revision(url)}")


@db_app.command("current")
def db_current(database_url: DatabaseOpt = None) -> None:
    """Show the database's schema revision."""
    from service.storage.database import current_revision

    url = Config.from_env(database_url=database_url).database_url
    out.print(current_revision(url) or "empty (run `attune db upgrade`)")
