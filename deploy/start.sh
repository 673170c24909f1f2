#!/bin/sh
# Start one process of the service: apply migrations, then exec the chosen command.
#   start.sh web        gunicorn serving the API and pages (default)
#   start.sh scheduler  the daily planning job
#   start.sh dask-worker  a Dask worker (needs DASK_SCHEDULER_ADDRESS)
set -eu
role="${1:-web}"
case "$role" in
  web)
    homecare db upgrade
    exec gunicorn --bind "${HOMECARE_BIND:-0.0.0.0:8000}" --workers "${WEB_CONCURRENCY:-2}" \
      --access-logfile - --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}" "api:create_app()"
    ;;
  scheduler)
    homecare db upgrade
    exec homecare scheduler
    ;;
  dask-worker)
    exec dask worker "${DASK_SCHEDULER_ADDRESS:?set DASK_SCHEDULER_ADDRESS}" --nthreads 1
    ;;
  *)
    exec "$@"
    ;;
esac
