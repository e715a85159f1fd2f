"""A realistic, deterministic synthetic catalog of counselors and client intakes.

Used by ``attune seed``, the demo, the benchmarks (1k to 1M counselors) and the
simulations. The same ``(count, seed)`` always gives the same output, in any
process with the same numpy version: every random number comes from a seeded
:class:`numpy.random.Generator`, one per group of fields (no global random state), drawn in vectorized
batches of :data:`~matcher.synthetic.sampling.CHUNK` rows, and the dataclasses are
only assembled afterwards. The first ``n`` profiles of a bigger catalog are in
general not those of a smaller one, but ids are stable and unique:
``f"{id_prefix}{i:07d}"`` for counselor ``i``.

The distributions are loosely modelled on a US outpatient network (see the weight
tables in :mod:`matcher.synthetic.weights`): a few popular concerns (anxiety,
depression, relationships, trauma, stress) and rare ones (infertility, perinatal),
CBT as the most common approach, video for most counselors, English for ~92% and
Spanish for ~18%, a US-heavy mix of time zones and weekday daytime/evening
availability with some Saturdays, licences by state population
(:mod:`~matcher.synthetic.licensure`), and the attributes of the whole intake (age groups,
genders, identities, what the client requires: :mod:`~matcher.synthetic.whole`). The last
two are drawn from generators of their own, so they leave every other field of a seed as
it was.

Modules: :mod:`~matcher.synthetic.weights` (weight tables and code orders),
:mod:`~matcher.synthetic.sampling` (vectorized draws and interning),
:mod:`~matcher.synthetic.counselors` and :mod:`~matcher.synthetic.intakes`, with
:mod:`~matcher.synthetic.licensure` and :mod:`~matcher.synthetic.whole`.
"""

from matcher.synthetic.counselors import synthetic_counselors
from matcher.synthetic.intakes import synthetic_intakes, worst_case_intake
from matcher.synthetic.sampling import CHUNK  # read-only here: patch matcher.synthetic.sampling.CHUNK

__all__ = ["CHUNK", "synthetic_counselors", "synthetic_intakes", "worst_case_intake"]
