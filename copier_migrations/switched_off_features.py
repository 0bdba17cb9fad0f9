"""After every `copier update`: keep the migrations of the features it switched off.

Copier deletes a switched-off feature's files, its revision scripts included, while every
database that had the feature still holds its tables and records its revisions. This step
keeps those scripts in `migrations/removed/`, where `make db-deploy` finds them to set the
revisions aside and `make db-drop-feature` to drop the tables. A feature switched back on
brings its scripts back, so their copies go. It also names the files of switched-off
features that you had changed: Copier deletes them without a word.

Run by copier.yml inside the project: `python switched_off_features.py <answers file>`.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from _project import REMOVED, VERSIONS, Revision, git, revisions_in


def keep_switched_off_migrations() -> dict[str, Revision]:
    """Copy the revision scripts this update deleted into `migrations/removed/`."""
    present = revisions_in(VERSIONS)
    kept: dict[str, Revision] = {}
    for path in _deleted_by_update(VERSIONS):
        source = git("show", f"HEAD:./{path}")
        parsed = Revision.parse(source)
        if parsed is None or parsed.revision in present:
            continue  # not a revision, or only renamed
        REMOVED.mkdir(parents=True, exist_ok=True)
        (REMOVED / Path(path).name).write_text(source)
        kept[parsed.revision] = parsed
    return kept


def move_revisions_built_on_removed_ones() -> list[Path]:
    """Your own revisions on a switched-off feature's branch leave with it: left behind,
    they would name a parent Alembic cannot find."""
    moved: list[Path] = []
    while True:
        removed = set(revisions_in(REMOVED)) - set(revisions_in(VERSIONS))
        leaving = [
            path
            for path in revisions_in(VERSIONS).values()
            if (parsed := Revision.parse(path.read_text())) and parsed.parents & removed
        ]
        if not leaving:
            return moved
        for path in leaving:
            shutil.move(path, REMOVED / path.name)
            moved.append(REMOVED / path.name)


def forget_returning_migrations() -> list[str]:
    """Features switched back on brought their scripts back: drop the kept copies."""
    present = revisions_in(VERSIONS)
    returning = []
    for revision, path in revisions_in(REMOVED).items():
        if revision in present:
            path.unlink()
            returning.append(revision)
    if REMOVED.is_dir() and not any(REMOVED.iterdir()):
        REMOVED.rmdir()
    return returning


def changed_files_deleted(answers_file: str) -> list[str]:
    """Files this update deleted that you changed since the template was last applied."""
    last_applied = git("log", "-1", "--format=%H", "--", answers_file).strip()
    if not last_applied:
        return []
    changed = set(_paths(git("diff", "-z", "--relative", "--name-only", last_applied, "HEAD")))
    return [path for path in _deleted_by_update(Path(".")) if path in changed]


def report(
    kept: dict[str, Revision], moved: list[Path], returning: list[str], changed: list[str]
) -> None:
    labels = sorted({label for r in kept.values() for label in r.branch_labels})
    if labels:
        print(
            f"\nSwitched off: {', '.join(labels)}. Their migrations are kept in {REMOVED}/.\n"
            "Your databases keep their tables and rows: `make db-deploy` sets the revisions\n"
            "aside and works as before. To drop the data, run in each environment:"
        )
        for label in labels:
            print(f"    make db-drop-feature name={label}")
        print(f"Keep {REMOVED}/ until then: both commands read it.")
    for path in moved:
        print(f"Your revision {path.name} built on a switched-off feature: moved to {REMOVED}/.")
    if returning:
        print(
            f"\nSwitched back on: {', '.join(sorted(returning))}. `make db-deploy` uses the "
            "tables your databases kept (or creates them where they were dropped)."
        )
    if changed:
        commit = git("rev-parse", "--short", "HEAD").strip()
        print("\nThe update deleted these files, which had your changes (their feature was")
        print("switched off, or the template no longer has them):")
        for name in changed:
            print(f"    {name}    (your version: git show {commit}:./{name})")


def _deleted_by_update(under: Path) -> list[str]:
    return [
        path
        for path in _paths(
            git(
                "diff",
                "-z",
                "--relative",
                "--name-only",
                "--diff-filter=D",
                "HEAD",
                "--",
                str(under),
            )
        )
        if under != VERSIONS or path.endswith(".py")
    ]


def _paths(output: str) -> list[str]:
    return [path for path in output.split("\0") if path]


def main(answers_file: str) -> int:
    kept = keep_switched_off_migrations()
    returning = forget_returning_migrations()
    moved = move_revisions_built_on_removed_ones()
    report(kept, moved, returning, changed_files_deleted(answers_file))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
