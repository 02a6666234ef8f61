#!/usr/bin/env bash
# Restore a dump made by backup.sh into a new, empty database (never over a live one):
#
#   deploy/restore.sh /var/backups/tracker/tracker-20261203T021500Z.dump \
#       postgres://postgres@db.internal:5432/tracker_restored
#
# The database is created when it does not exist, and refused when it has tables. The restore is
# one transaction: it is complete or nothing is there. Then check it, point DATABASE_URL at it
# (/etc/tracker/tracker.env), run `manage.py migrate` (a dump of an older release gets the newer
# migrations) and restart the app servers, workers and schedulers.
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 <dump file> <postgres://user@host:port/new_database>" >&2
    exit 2
fi
dump=$1
url=$2
[ -r "$dump" ] || { echo "restore.sh: cannot read $dump" >&2; exit 2; }
case "$url" in
    postgres://*/* | postgresql://*/*) ;;
    *) echo "restore.sh: '$url' is not a PostgreSQL database URL" >&2; exit 2 ;;
esac
base=${url%%\?*}
name=${base##*/}
server=${base%/*}
[[ "$name" =~ ^[A-Za-z0-9_]+$ ]] || { echo "restore.sh: unusual database name '$name'" >&2; exit 2; }

pg_restore --list "$dump" >/dev/null  # a readable dump, before anything is created

exists=$(psql -X -At -d "$server/postgres" -c "SELECT 1 FROM pg_database WHERE datname = '$name'")
if [ -z "$exists" ]; then
    psql -X -q -d "$server/postgres" -c "CREATE DATABASE \"$name\""
    echo "created database $name"
fi
tables=$(psql -X -At -d "$url" -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
if [ "$tables" != 0 ]; then
    echo "restore.sh: database $name already has $tables tables; restore into a new database" >&2
    exit 1
fi

started=$(date +%s)
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$url" "$dump"
psql -X -q -d "$url" -c "ANALYZE"
echo "restored $dump into $name in $(($(date +%s) - started)) s:"
psql -X -At -F ' ' -d "$url" -c "
    SELECT 'projects', count(*) FROM projects_project UNION ALL
    SELECT 'milestones', count(*) FROM projects_milestone UNION ALL
    SELECT 'indicator values', count(*) FROM projects_indicatorvalue UNION ALL
    SELECT 'report runs', count(*) FROM projects_reportrun UNION ALL
    SELECT 'users', count(*) FROM auth_user" | sed 's/^/  /'
