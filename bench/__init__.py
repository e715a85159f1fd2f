"""Benchmarks of Attune (``make bench``): in-process ranking, gRPC end to end, snapshot, baselines.

``python -m bench.run --out docs/benchmarks.md`` runs everything and writes a Markdown report with
the machine's details; ``--quick`` runs the same code at tiny sizes (the smoke test in
``tests/bench`` uses it). Modules:

- :mod:`bench.timing`: latency sampling and percentiles.
- :mod:`bench.machine`: the machine's details for the report.
- :mod:`bench.straightforward`: baseline (a), rows loaded with SQLModel and scored in a Python loop.
- :mod:`bench.sql_schema`, :mod:`bench.sql_ranking`: baseline (b), the catalog as bit masks in a
  PostgreSQL table and the same ranking computed by PostgreSQL in one query.
- :mod:`bench.agreement`: checks that every implementation returns the same ranking.
- :mod:`bench.postgres`: a uniquely named benchmark database, created and dropped.
- :mod:`bench.inprocess`, :mod:`bench.side_by_side`, :mod:`bench.grpc_bench`: the measurements.
- :mod:`bench.sections`, :mod:`bench.grpc_section`: the report's sections, rendered.
- :mod:`bench.targets`, :mod:`bench.report`: the targets of issue 4 and the Markdown output.
"""
