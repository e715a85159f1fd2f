"""The gRPC adapter: the service's API over the use cases (:mod:`service.usecases`).

Servicers (``counselors``, ``matching``, ``experiments``) are thin: they convert the request
(``convert``), check paging (``paging``), call a use case and convert the result back; ``errors``
maps domain errors to gRPC statuses for all of them. ``wiring`` is the composition root (database
engine, repositories, use cases, servicers from one :class:`~service.config.Config`), and
``server`` runs the result: ``create_server(config)``, ``serve(config)``, health, reflection and
graceful shutdown.
"""
