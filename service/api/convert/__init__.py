"""Proto <-> domain conversion (gRPC adapter): the one place where API messages meet domain objects.

``catalog`` converts counselors, intakes and rankings; ``experiments`` converts strategies,
experiments, outcomes and reports. Import the submodule you need (the CLI imports only
``catalog``, which keeps it from loading scipy and the storage layer).
"""
