"""Your task modules, imported here so their `@task(...)` functions register, e.g.
`from ..invoices import tasks as invoice_tasks  # noqa: F401`.
"""
