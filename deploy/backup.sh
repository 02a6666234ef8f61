#!/usr/bin/env bash
# A backup of the tracker's PostgreSQL database: pg_dump's custom format (-Fc: compressed, restored
# table by table with pg_restore, see restore.sh), checked readable, then the oldest ones beyond
# BACKUP_KEEP removed.
#
#   DATABASE_URL=postgres://tracker@db.internal:5432/tracker BACKUP_DIR=/var/backups/tracker deploy/backup.sh
#
#   DATABASE_URL  the database (as in /etc/tracker/tracker.env; a password in it, or in ~/.pgpass)
#   BACKUP_DIR    where dumps go (default /var/backups/tracker); copy it off the machine as well
#   BACKUP_KEEP   how many dumps to keep (default 30: a month of daily dumps)
#
# Schedule it daily, e.g. with the systemd timer in this folder (tracker-backup.timer), or cron:
#   15 2 * * *  tracker  . /etc/tracker/tracker.env && /srv/tracker/deploy/backup.sh
# The dump is a consistent snapshot taken while the tracker keeps running. Test the restore
# regularly: `make deploy-demo` dumps with this script and restores with restore.sh.
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL is not set (postgres://user@host:port/name)}"
case "$DATABASE_URL" in
    postgres://* | postgresql://*) ;;
    *) echo "backup.sh: DATABASE_URL is not a PostgreSQL database" >&2; exit 2 ;;
esac
BACKUP_DIR=${BACKUP_DIR:-/var/backups/tracker}
BACKUP_KEEP=${BACKUP_KEEP:-30}
if ! [[ "$BACKUP_KEEP" =~ ^[1-9][0-9]*$ ]]; then
    echo "backup.sh: BACKUP_KEEP must be a whole number of at least 1, not '$BACKUP_KEEP'" >&2
    exit 2
fi

umask 077  # dumps hold every record and every account's password hash
mkdir -p "$BACKUP_DIR"
# One backup at a time (a slow dump and the next day's timer).
exec 9>"$BACKUP_DIR/.lock"
flock -n 9 || { echo "backup.sh: another backup is running in $BACKUP_DIR" >&2; exit 1; }

stamp=$(date -u +%Y%m%dT%H%M%SZ)
target="$BACKUP_DIR/tracker-$stamp.dump"
[ -e "$target" ] && target="$BACKUP_DIR/tracker-$stamp-$$.dump"
partial="$target.partial"
trap 'rm -f "$partial"' EXIT

started=$(date +%s)
pg_dump --format=custom --compress=6 --no-owner --no-privileges --file="$partial" --dbname="$DATABASE_URL"
# A dump that pg_restore cannot read is no backup.
pg_restore --list "$partial" >/dev/null
mv "$partial" "$target"
echo "backup: $target ($(du -h "$target" | cut -f1), $(($(date +%s) - started)) s)"

# Rotation: the newest BACKUP_KEEP dumps stay (by age, so a stopped schedule never empties the folder).
mapfile -t old < <(ls -1t "$BACKUP_DIR"/tracker-*.dump | tail -n +"$((BACKUP_KEEP + 1))")
for file in "${old[@]}"; do
    rm -f -- "$file"
    echo "removed old backup: $file"
done
