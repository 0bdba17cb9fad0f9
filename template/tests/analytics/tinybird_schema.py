"""The columns of the rendered Tinybird datasources (`tinybird/datasources/*.datasource`),
and the checks Tinybird's ingestion makes on an NDJSON row against them."""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.database import PROJECT_ROOT

DATASOURCES = PROJECT_ROOT / "tinybird" / "datasources"

_COLUMN = re.compile(r"^\s+`(?P<name>\w+)` (?P<type>.+?) `json:\$\.(?P<path>\w+)`,?$")
_DATETIME64 = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    path: str

    @property
    def nullable(self) -> bool:
        return "Nullable(" in self.type

    @property
    def base_type(self) -> str:
        """``LowCardinality(Nullable(String))`` → ``String``."""
        return re.sub(
            r"^(?:LowCardinality\(|Nullable\()+([^()]+(?:\(\d+\))?)\)*$", r"\1", self.type
        )


def columns_of(path: Path) -> list[Column]:
    schema = path.read_text().split("SCHEMA >\n", 1)[1].split("\n\n", 1)[0]
    columns = []
    for line in schema.splitlines():
        found = _COLUMN.match(line)
        assert found, f"{path.name}: a column without a JSON path: {line!r}"
        columns.append(Column(found["name"], found["type"], found["path"]))
    return columns


def datasources() -> dict[str, list[Column]]:
    return {path.stem: columns_of(path) for path in sorted(DATASOURCES.glob("*.datasource"))}


def row_problems(columns: list[Column], row: dict[str, Any]) -> list[str]:
    """Why Tinybird would quarantine ``row`` (or lose part of it); empty when it fits."""
    problems = [f"{key}: no column" for key in row if key not in {c.path for c in columns}]
    for column in columns:
        value = row.get(column.path)
        if value is None:
            if not column.nullable:
                problems.append(f"{column.name}: null in a non-Nullable column")
            continue
        if not _fits(column.base_type, value):
            problems.append(f"{column.name}: {value!r} is not a {column.type}")
    return problems


def _fits(base_type: str, value: Any) -> bool:
    if base_type == "String":
        return isinstance(value, str)
    if base_type == "Bool":
        return isinstance(value, bool)
    if re.fullmatch(r"U?Int\d+", base_type):
        return isinstance(value, int) and not isinstance(value, bool)
    if base_type.startswith("Float"):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if base_type == "DateTime64(3)":
        return isinstance(value, str) and bool(_DATETIME64.match(value))
    raise AssertionError(f"no check for the type {base_type}")
