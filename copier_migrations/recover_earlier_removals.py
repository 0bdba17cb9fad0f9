"""Updating from before 0.1.0: recover the migrations of features switched off back then.

Before 0.1.0, switching a feature off deleted its revision scripts and nothing kept them,
so `make db-deploy` failed on every database that had the feature ("Can't locate
revision"). This step finds those scripts in the project's git history and keeps them in
`migrations/removed/`, where the database bookkeeping of 0.1.0 finds them: `make
db-deploy` works again, and `make db-drop-feature` can drop the tables.

Run by copier.yml inside the project: `python recover_earlier_removals.py`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from _project import REMOVED, VERSIONS, Revision, git, revisions_in


def recover() -> dict[str, Revision]:
    known = set(revisions_in(VERSIONS)) | set(revisions_in(REMOVED))
    recovered: dict[str, Revision] = {}
    # Newest deletion first: a script deleted twice is recovered as it was last.
    log = git(
        "log",
        "--diff-filter=D",
        "--name-only",
        "--relative",
        "--format=%x00%H",
        "--",
        str(VERSIONS),
    )
    for entry in log.split("\0")[1:]:
        commit, *paths = entry.split()
        for path in paths:
            if not path.endswith(".py"):
                continue
            source = git("show", f"{commit}^:./{path}")
            parsed = Revision.parse(source)
            if parsed is None or parsed.revision in known:
                continue
            REMOVED.mkdir(parents=True, exist_ok=True)
            (REMOVED / Path(path).name).write_text(source)
            known.add(parsed.revision)
            recovered[parsed.revision] = parsed
    return recovered


def main() -> int:
    recovered = recover()
    labels = sorted({label for r in recovered.values() for label in r.branch_labels})
    if labels:
        print(
            f"\nRecovered the migrations of {', '.join(labels)}, switched off before 0.1.0, "
            f"into {REMOVED}/:\n`make db-deploy` works again on the databases that had them; "
            "`make db-drop-feature name=<branch>` drops their tables."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
