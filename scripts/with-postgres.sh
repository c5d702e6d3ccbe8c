#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL 15 cluster, then stop and delete it.
#   scripts/with-postgres.sh pytest -q
# The cluster lives in a temp dir, listens on a unix socket only (no TCP port to collide
# with), and is removed on exit whatever the command's result. initdb refuses to run as
# root, so as root the cluster runs as the `postgres` user.
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$PGBIN/initdb" ]; then
  PGBIN=$(dirname "$(command -v initdb 2>/dev/null || true)")
fi
if [ ! -x "$PGBIN/initdb" ]; then
  echo "with-postgres: PostgreSQL server binaries not found (set PGBIN)" >&2
  exit 2
fi

dir=$(mktemp -d /tmp/placeguard-pg.XXXXXX)
as_pg=()
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown postgres "$dir"
  as_pg=(runuser -u postgres --)
fi
chmod 700 "$dir"

# Run as the cluster's owner from / (the caller's folder may be closed to that user).
pg() { (cd / && "${as_pg[@]}" "$@"); }

stop() {
  pg "$PGBIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT

pg "$PGBIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale >/dev/null
pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
  -o "-k $dir -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null
pg "$PGBIN/createdb" -h "$dir" -U postgres placeguard

export DATABASE_URL="postgres://postgres@/placeguard?host=$dir"
echo "with-postgres: PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on $dir"
"$@"
