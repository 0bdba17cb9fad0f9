"""`python -m <package>.billing replay [EVENT_ID ...]` (or `make billing-replay`)."""

import argparse
import asyncio

from ..services import running_services
from .tasks import replay_events


async def replay(event_ids: list[str]) -> dict[str, int]:
    async with running_services() as services:
        return await replay_events(services, event_ids)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="billing")
    commands = parser.add_subparsers(dest="command", required=True)
    replay_command = commands.add_parser(
        "replay", help="process webhook events again: the named ones, else every unhandled one"
    )
    replay_command.add_argument("event_ids", nargs="*", help="provider event ids (evt_...)")
    args = parser.parse_args(argv)
    outcome = asyncio.run(replay(args.event_ids))
    print(", ".join(f"{key}: {value}" for key, value in outcome.items()))
    return 1 if outcome["failed"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
