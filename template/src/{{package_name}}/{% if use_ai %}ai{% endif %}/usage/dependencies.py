"""The ledger and the limit source, as dependencies."""

from typing import Annotated

from fastapi import Depends

from ...core.errors import PaymentRequired, TooManyRequests, raises
from ...services import ServicesDep
from .ledger import Ledger
from .quotas import LimitSource


# Reserving quota answers 402 (not in the plan) or 429 (used up, with Retry-After).
@raises(PaymentRequired, TooManyRequests)
async def get_ledger(services: ServicesDep) -> Ledger:
    return Ledger(services)


async def get_limit_source(services: ServicesDep) -> LimitSource:
    return services.ai_limits


LedgerDep = Annotated[Ledger, Depends(get_ledger)]
LimitSourceDep = Annotated[LimitSource, Depends(get_limit_source)]
