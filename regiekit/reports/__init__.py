"""The reports: what each one shows, in Dutch, with its charts and maps; the notebooks in ``notebooks/``
only display it. Importing this package registers every report kind (:mod:`regiekit.reports.registry`)."""

from regiekit.reports import (  # noqa: F401  (they register)
    factsheet,
    monitor,
    opvolging,
    pilot,
    regie_op_3,
    verkennen,
    voortgang,
)
