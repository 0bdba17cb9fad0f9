"""Your periodic jobs, run by beat or the in-process runner next to the template's, e.g.
`PeriodicJob("invoices.send_reminders", every=timedelta(days=1))`.
"""

from ..worker.periodic import PeriodicJob

PERIODIC_JOBS: tuple[PeriodicJob, ...] = ()
