"""Your own routers, models, tasks and periodic jobs are registered here.

`copier copy` writes these files once and `copier update` never changes them, so what you
register here never conflicts with a template release or an answer you change later. The
template registers its own features in `api.py`, `core/db/registry.py`,
`worker/task_list.py` and `worker/schedule.py`; leave those to it.
"""
