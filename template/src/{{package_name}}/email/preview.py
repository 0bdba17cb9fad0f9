"""`make email-preview`: every template rendered with sample data, written to files."""

import argparse
from pathlib import Path
from typing import Any

from ..core.config import Settings
from .rendering import render_email, template_names

SAMPLE_CONTEXT: dict[str, dict[str, Any]] = {
    "account_exists": {"name": "Ada Lovelace", "email": "ada@example.com", "expires_in": "1 hour"},
    "welcome": {"name": "Ada Lovelace", "email": "ada@example.com"},
    "verify_email": {"name": "Ada Lovelace", "email": "ada@example.com", "expires_in": "2 days"},
    "magic_link": {"name": "Ada Lovelace", "email": "ada@example.com", "expires_in": "15 minutes"},
    "password_reset": {"name": "Ada Lovelace", "email": "ada@example.com", "expires_in": "1 hour"},
    "password_changed": {"name": "Ada Lovelace", "email": "ada@example.com"},
}


def write_previews(directory: Path, *, app_name: str, public_url: str) -> list[Path]:
    """Render each template to ``<name>.html`` and ``<name>.txt`` in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in template_names():
        context = {
            "app_name": app_name,
            "public_url": public_url,
            "link": f"{public_url}/{name.replace('_', '-')}?token=sample-token",
            **SAMPLE_CONTEXT[name],
        }
        html, text = render_email(name, context)
        for suffix, body in ((".html", html), (".txt", text)):
            path = directory / f"{name}{suffix}"
            path.write_text(body, encoding="utf-8")
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="email-preview")
    parser.add_argument("--out", type=Path, default=Path("build/email-preview"))
    args = parser.parse_args(argv)
    settings = Settings()
    written = write_previews(args.out, app_name=settings.app_name, public_url=settings.public_url)
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
