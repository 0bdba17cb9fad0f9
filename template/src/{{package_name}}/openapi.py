"""`python -m <package>.openapi [--out openapi.json]`: the API's OpenAPI document, taken
from the app itself: no server, no database, no environment or `.env` read.

`make openapi` writes it; `make client` generates the TypeScript client from it.
"""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .core.config import Settings
from .main import create_app


def schema() -> dict[str, Any]:
    # The defaults alone: the routes, and so the document, never depend on settings.
    app = create_app(Settings.model_construct(), env_file=None)
    return app.openapi()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="openapi", description=__doc__)
    parser.add_argument("--out", type=Path, help="write to this file (default: standard output)")
    args = parser.parse_args(argv)
    text = json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
