"""Operator commands: `python -m <package>.cli create-admin --email you@example.com`."""

import argparse
import asyncio
import getpass
import os
import sys

from .auth import passwords
from .auth import service as auth_service
from .auth.schemas import MIN_PASSWORD_LENGTH
from .core.config import Settings, get_settings
from .core.db.session import Database
from .core.db.types import utcnow
from .core.errors import AppError
from .users import repository as user_repository
from .users.models import Role
from .worker.inprocess import InProcessDispatcher
from .worker.queue import dispatch_committed
from .worker.registry import TaskContext


async def create_admin(settings: Settings, email: str, password: str | None) -> str:
    """Promote ``email`` to admin, creating the account (with ``password``) if needed."""
    database = Database.from_settings(settings)
    dispatcher = InProcessDispatcher(TaskContext(settings=settings, db=database))
    try:
        async with database.sessionmaker() as session:
            user = await user_repository.get_by_email(session, email)
            if user is not None:
                user.role = Role.ADMIN
                outcome = f"promoted {user.email} to admin"
            else:
                if not password or len(password) < MIN_PASSWORD_LENGTH:
                    raise AppError(
                        f"A new account needs a password of {MIN_PASSWORD_LENGTH}+ characters."
                    )
                hasher = passwords.get_hasher(settings)
                user = await auth_service.register(
                    session, hasher, email=email, password=password, name=None, role=Role.ADMIN
                )
                # The operator vouches for the address.
                user.email_verified_at = utcnow()
                outcome = f"created admin {user.email}"
            await session.commit()
            await dispatch_committed(session, dispatcher)
        await dispatcher.drain()
        return outcome
    finally:
        await database.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cli")
    commands = parser.add_subparsers(dest="command", required=True)
    admin = commands.add_parser("create-admin", help="create or promote an admin account")
    admin.add_argument("--email", default=os.environ.get("ADMIN_EMAIL"), required=False)
    admin.add_argument(
        "--password",
        default=os.environ.get("ADMIN_PASSWORD"),
        help="for a new account; prompted for when missing (or set ADMIN_PASSWORD)",
    )
    args = parser.parse_args(argv)
    email = args.email or input("Admin email: ").strip()
    password = args.password
    try:
        if password is None and sys.stdin.isatty():
            password = getpass.getpass("Password (for a new account, 8+ characters): ") or None
        print(asyncio.run(create_admin(get_settings(), email, password)))
    except AppError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
