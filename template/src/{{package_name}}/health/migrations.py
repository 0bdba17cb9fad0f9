"""Which migrations the database still lacks, read with Alembic's own machinery."""

from functools import lru_cache
from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util import CommandError
from sqlalchemy.engine import Connection

# The database records a revision no script here has.
UnknownRevision = (CommandError, RevisionError)


@lru_cache
def migration_scripts(alembic_config: Path) -> ScriptDirectory:
    return ScriptDirectory.from_config(Config(str(alembic_config)))


def applied_revisions(connection: Connection) -> frozenset[str]:
    return frozenset(MigrationContext.configure(connection).get_current_heads())


def pending(scripts: ScriptDirectory, applied: frozenset[str]) -> set[str]:
    # A revision counts as applied when a recorded one builds on it (down revision or
    # dependency): `alembic_version` holds only the heads of what was applied.
    everything = {s.revision for s in scripts.iterate_revisions("heads", "base")}
    if not applied:
        return everything
    done = {s.revision for s in scripts.iterate_revisions(tuple(applied), "base")}
    return everything - done
