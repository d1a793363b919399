"""Names of the column kinds and missingness mechanisms of simulated data.

``SCMBatch.column_kinds`` holds, per dataset and column, an index into ``COLUMN_KINDS``: a
discrete column holds integer codes 0..k-1 (as floats), a categorical one in an arbitrary order.
"""

from skcausal._columns import KINDS as COLUMN_KINDS  # the column contract's kinds, in its order

DISCRETE_KINDS = COLUMN_KINDS[1:]
CONTINUOUS, BINARY, ORDINAL, CATEGORICAL = range(len(COLUMN_KINDS))
MISSING_MECHANISMS = ("mcar", "mar", "mnar")
