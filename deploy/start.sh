#!/bin/sh
# Start one process of the service. Settings come only from environment variables
# (docs/operations.md); `homecare db upgrade` checks them first and stops with a
# message naming the variable at fault.
#   start.sh web          apply migrations, then exec gunicorn (the API and pages)
#   start.sh scheduler    apply migrations, then exec the daily planning job
#   start.sh migrate      apply migrations and exit (a one-off step before the rest)
#   start.sh dask-scheduler / dask-worker   the Dask cluster that plans at scale
#   start.sh COMMAND ...  anything else, e.g. `start.sh homecare import /data`
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
role="${1:-web}"
case "$role" in
  web)
    homecare db upgrade
    exec gunicorn --config "${HOMECARE_GUNICORN_CONFIG:-$here/gunicorn.conf.py}" "api:create_app()"
    ;;
  scheduler)
    homecare db upgrade
    exec homecare scheduler
    ;;
  migrate)
    exec homecare db upgrade
    ;;
  dask-scheduler)
    exec dask scheduler --host "${DASK_SCHEDULER_HOST:-0.0.0.0}" --port "${DASK_SCHEDULER_PORT:-8786}" \
      --dashboard-address "${DASK_DASHBOARD_ADDRESS:-:8787}"
    ;;
  dask-worker)
    exec dask worker "${DASK_SCHEDULER_ADDRESS:?set DASK_SCHEDULER_ADDRESS}" --nthreads 1 \
      --nworkers "${DASK_WORKER_PROCESSES:-1}" --memory-limit "${DASK_WORKER_MEMORY:-auto}"
    ;;
  *)
    exec "$@"
    ;;
esac
