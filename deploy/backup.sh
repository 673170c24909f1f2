#!/bin/sh
# Back up the PostgreSQL database named by DATABASE_URL into one file (pg_dump's
# custom format: compressed, restorable table by table), then check the file reads.
#   DATABASE_URL=postgresql://user@host:5432/homecare deploy/backup.sh /backups/homecare-$(date +%F).dump
set -eu
file="${1:?usage: backup.sh FILE}"
url="$(printf '%s' "${DATABASE_URL:?set DATABASE_URL}" | sed -E 's/^postgresql\+[a-z0-9]+:/postgresql:/')"
pg_dump --format=custom --no-owner --no-privileges --file "$file" --dbname "$url"
pg_restore --list "$file" >/dev/null
echo "backed up to $file"
