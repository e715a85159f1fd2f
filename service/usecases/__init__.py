"""The use cases (application layer): what the service does, whatever calls it.

``catalog`` keeps the counselor store and the in-memory ranking snapshot in step; ``matching``
ranks an intake, logs the exposure and takes outcomes back; ``experimentation`` holds the
strategies and experiments; ``exposures`` is the exposure log's queue and writer; ``demo``
seeds the demo catalog. They use the repositories of :mod:`service.storage` and the domain of
:mod:`matcher`, and know nothing of gRPC or the command line: the adapters
(:mod:`service.api`, :mod:`service.cli`) call them, never the other way round.
"""
