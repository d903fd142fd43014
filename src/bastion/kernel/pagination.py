"""One list envelope for every collection route: ``{"items": [...], "total": N, "limit": L, "offset": O}``.

A route takes ``page: PageDep`` (the ``limit`` and ``offset`` query parameters, bounded here) and returns
``Page[ItemRead]``: either ``Page.of(all_items, page)`` (lists built in memory are sliced) or
``Page(items=..., total=..., limit=page.limit, offset=page.offset)`` when the query itself is paged.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated
from typing import Generic
from typing import TypeVar

from fastapi import Depends
from fastapi import Query
from pydantic import BaseModel
from pydantic import Field

DEFAULT_LIMIT = 100  # items per page when the client does not say
MAX_LIMIT = 5000  # the largest page a client may ask for (GET /api/v1/meta serves it as page.max_limit)
MAX_OFFSET = 10_000_000

T = TypeVar("T")
S = TypeVar("S")


@dataclass(frozen=True)
class PageParams:
    limit: int = DEFAULT_LIMIT
    offset: int = 0


def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"items per page (1 to {MAX_LIMIT})")] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="items to skip")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


PageDep = Annotated[PageParams, Depends(page_params)]


class Page(BaseModel, Generic[T]):
    """A page of a collection: ``items`` are ``total`` items' slice ``[offset, offset + limit)``."""

    items: list[T]
    total: int = Field(ge=0, description="items in the whole collection (after filters and access scope)")
    limit: int = Field(ge=1, le=MAX_LIMIT, description="the page size asked for")
    offset: int = Field(ge=0, description="items skipped before this page")

    @classmethod
    def of(cls, items: Sequence[T], page: PageParams) -> Page[T]:
        """The page of an in-memory list."""
        return cls(items=list(items[page.offset:page.offset + page.limit]), total=len(items), limit=page.limit,
                   offset=page.offset)

    @classmethod
    def mapped(cls, rows: Sequence[S], page: PageParams, read: Callable[[S], T]) -> Page[T]:
        """The page of an in-memory list of rows, ``read`` (a wire schema builder) called on this page's rows only."""
        return cls(items=[read(r) for r in rows[page.offset:page.offset + page.limit]], total=len(rows),
                   limit=page.limit, offset=page.offset)
