"""Page-number pagination: `?page=1&size=20` in, `{items, total, page, size, pages}` out."""

from dataclasses import dataclass
from typing import Annotated, Generic, Self, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel


@dataclass(frozen=True)
class Pagination:
    page: int
    size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


async def _pagination(
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Pagination:
    return Pagination(page=page, size=size)


PageParams = Annotated[Pagination, Depends(_pagination)]

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    size: int
    pages: int

    @classmethod
    def build(cls, items: list[T], total: int, params: Pagination) -> Self:
        pages = (total + params.size - 1) // params.size
        return cls(items=items, total=total, page=params.page, size=params.size, pages=pages)
