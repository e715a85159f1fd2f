"""Attune's domain: who is matched with whom, and how; no gRPC, no database.

- The domain, at the top: :mod:`~matcher.model` (profiles, intakes, validation),
  :mod:`~matcher.attributes` (the matching schema: every attribute declared once),
  :mod:`~matcher.vocabulary` and :mod:`~matcher.jurisdictions` (the codes),
  :mod:`~matcher.availability` (weekly hours), :mod:`~matcher.strategy` (ranking
  recipes), :mod:`~matcher.errors`.
- :mod:`matcher.engine`: the columnar snapshot, its bit index, the compiled query and
  the numba kernels that rank it, and the plain reference they are checked against.
- :mod:`matcher.explain`: the reasons shown with each result.
- :mod:`matcher.experiments`: assignment and analysis of A/B tests;
  :mod:`matcher.synthetic`: realistic synthetic catalogs and intakes.
"""
