"""Your model modules, imported here so Alembic and the tests see their tables, e.g.
`from ..invoices import models as invoice_models  # noqa: F401`.

`make db-migrate m="add invoices"` then writes their revision on your branch, `app`.
"""
