# syntax=docker/dockerfile:1
# One image for every process of the service; the command picks the role
# (deploy/start.sh, the same script the end-to-end tests run against PostgreSQL):
#   docker run IMAGE                 -> web: migrations, then gunicorn on :8000
#   docker run IMAGE scheduler       -> migrations, then the daily planning job
#   docker run IMAGE migrate         -> migrations only
#   docker run IMAGE dask-scheduler  -> a Dask scheduler on :8786
#   docker run IMAGE dask-worker     -> a Dask worker (needs DASK_SCHEDULER_ADDRESS)
# Settings come only from environment variables: see docs/operations.md.

# ---- build: compilers allowed here only
FROM python:3.11-slim AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md ./
COPY scheduler ./scheduler
COPY api ./api
COPY deploy ./deploy
# The same install script as `make setup` (and so `make test` and CI), without extras.
RUN PYTHON=python3 sh deploy/install.sh /opt/venv

# ---- run: the virtual environment and the start scripts, no build tools, not root
FROM python:3.11-slim
RUN useradd --create-home --uid 10001 --user-group homecare
COPY --from=build /opt/venv /opt/venv
COPY deploy /app/deploy
COPY data /app/data
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOMECARE_ENV=production \
    HOMECARE_INSTANCE=/app/instance \
    HOMECARE_BIND=0.0.0.0:8000
WORKDIR /app
RUN mkdir -p /app/instance && chown homecare:homecare /app/instance
USER homecare
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
ENTRYPOINT ["/app/deploy/start.sh"]
CMD ["web"]
