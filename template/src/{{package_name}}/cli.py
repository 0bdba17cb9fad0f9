"""Operator commands: `python -m <package>.cli create-admin --email you@example.com`."""

import argparse
import asyncio
import getpass
import os
import sys

from .auth import registration
from .auth.schemas import MIN_PASSWORD_LENGTH
from .core.config import Settings
from .core.db.types import utcnow
from .core.errors import AppError
from .services import running_services
from .users import repository as user_repository
from .users.models import Role


async def create_admin(settings: Settings, email: str, password: str | None) -> str:
    """Promote ``email`` to admin, creating the account (with ``password``) if needed."""
    async with running_services(settings) as services, services.unit_of_work() as session:
        user = await user_repository.get_by_email(session, email)
        if user is not None:
            user.role = Role.ADMIN
            return f"promoted {user.email} to admin"
        if not password or len(password) < MIN_PASSWORD_LENGTH:
            raise AppError(f"A new account needs a password of {MIN_PASSWORD_LENGTH}+ characters.")
        user = await registration.create_user(
            session, services.hasher, email=email, password=password, name=None, role=Role.ADMIN
        )
        # The operator vouches for the address.
        user.email_verified_at = utcnow()
        return f"created admin {user.email}"


def _read_password(given: str | None) -> str | None:
    """``given``, else typed at a terminal, else the first line on standard input (so
    `make create-admin` works in scripts and containers); None when there is none."""
    if given:
        return given
    if sys.stdin.isatty():
        return getpass.getpass("Password (for a new account, 8+ characters): ") or None
    line = sys.stdin.readline().rstrip("\r\n")
    return line or None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cli")
    commands = parser.add_subparsers(dest="command", required=True)
    admin = commands.add_parser(
        "create-admin",
        help="create or promote an admin account",
        description=(
            "Promote an account to admin, or create it. A new account needs a password: "
            "--password, ADMIN_PASSWORD, typed at the prompt, or one line on standard input."
        ),
    )
    admin.add_argument("--email", default=os.environ.get("ADMIN_EMAIL") or None)
    admin.add_argument(
        "--password",
        default=os.environ.get("ADMIN_PASSWORD") or None,
        help="for a new account (or set ADMIN_PASSWORD, or pipe it on standard input)",
    )
    args = parser.parse_args(argv)
    email = args.email
    if not email and sys.stdin.isatty():
        email = input("Admin email: ").strip()
    if not email:
        parser.error("give the account's email: --email you@example.com (or ADMIN_EMAIL)")
    try:
        print(asyncio.run(create_admin(Settings(), email, _read_password(args.password))))
    except AppError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
