"""The ``attune`` command line (CLI adapter).

``main`` assembles the typer app from ``operations`` (``serve``, ``db``: run the service and
migrate its database) and the client commands of ``staff`` (matching and the catalog) and
``experiments`` (strategies, experiments, ``simulate``), which call the running service over
gRPC through ``client`` and print with ``render``/``render_experiments``.
"""
