"""Your routers, served under `/api/v1` next to the template's.

Add a feature the way the template's are built (`invoices/router.py`, `service.py`,
`models.py`, ...), then include its router here::

    from ..invoices.router import router as invoices_router

    router.include_router(invoices_router)
"""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1")
