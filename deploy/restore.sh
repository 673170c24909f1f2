#!/bin/sh
# Restore a backup made by backup.sh into the EMPTY PostgreSQL database named by
# DATABASE_URL, in one transaction: all of it or (on any error) none of it.
#   createdb -h host -U user homecare_restored
#   DATABASE_URL=postgresql://user@host:5432/homecare_restored deploy/restore.sh FILE
set -eu
file="${1:?usage: restore.sh FILE}"
url="$(printf '%s' "${DATABASE_URL:?set DATABASE_URL}" | sed -E 's/^postgresql\+[a-z0-9]+:/postgresql:/')"
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname "$url" "$file"
echo "restored $file"
