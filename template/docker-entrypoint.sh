#!/bin/sh
# Runs before every command of the image (API, worker, beat, migrations).
# Hosting platforms hand out libpq-style database URLs (postgres://…?sslmode=require); the
# app talks to PostgreSQL through asyncpg, which wants postgresql+asyncpg://…?ssl=require.
set -e
case "${DATABASE_URL:-}" in
  postgres://* | postgresql://*)
    DATABASE_URL="postgresql+asyncpg://${DATABASE_URL#*://}"
    DATABASE_URL="$(printf '%s' "$DATABASE_URL" | sed 's/\([?&]\)sslmode=/\1ssl=/')"
    export DATABASE_URL
    ;;
esac
exec "$@"
