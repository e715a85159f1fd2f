"""``attune`` (CLI layer): the typer app, assembled from the command modules.

- :mod:`service.cli.operations`: run the service and migrate its database (``serve``, ``db``);
- :mod:`service.cli.match`: the intake staff's ``match``, a client of the service;
- :mod:`service.cli.staff`: the intake staff's and catalog admins' other client commands
  (``outcome``, ``seed``, ``vocabulary``, ``counselors``);
- :mod:`service.cli.experiments`: strategies, experiments and ``simulate``.
"""

from __future__ import annotations

import sys

import typer

from service.cli.experiments import experiments_app, simulate, strategies_app
from service.cli.match import match
from service.cli.operations import db_app, serve
from service.cli.staff import counselors_app, outcome, seed, vocabulary

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Attune: counselor matching.")
# Help lists commands in the order they are added here, then the command groups.
for command in (outcome, simulate, serve, match, seed, vocabulary):
    app.command()(command)
app.add_typer(db_app, name="db")
app.add_typer(counselors_app, name="counselors")
app.add_typer(strategies_app, name="strategies")
app.add_typer(experiments_app, name="experiments")


def main() -> None:  # pragma: no cover - console entry point
    """Entry point that never shows a traceback for a caller's mistake."""
    sys.exit(app())
