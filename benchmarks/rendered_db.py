"""Runs inside a rendered project: `python rendered_db.py create|drop <database url>`.

`create` makes a fresh database (PostgreSQL: dropped first if it exists) and applies
every migration head; `drop` removes a PostgreSQL database. The project's own test
helpers do the work, so the benchmarks set databases up the way its tests do.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path.cwd()))

from tests.database import (
    drop_postgres_database,
    recreate_postgres_database,
    run_migrations,
)


def main(action: str, url: str) -> None:
    on_postgres = url.startswith("postgresql")
    if action == "create":
        if on_postgres:
            asyncio.run(recreate_postgres_database(url))
        run_migrations(url)
    elif action == "drop" and on_postgres:
        asyncio.run(drop_postgres_database(url))


if __name__ == "__main__":
    main(*sys.argv[1:])
