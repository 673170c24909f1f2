# syntax=docker/dockerfile:1
# One image: the web server (default), the scheduler process, or a Dask worker:
#   docker run IMAGE            -> deploy/start.sh web
#   docker run IMAGE scheduler  -> deploy/start.sh scheduler
FROM python:3.11-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends build-essential && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md ./
COPY scheduler ./scheduler
COPY api ./api
RUN python -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir --upgrade pip \
    && /opt/venv/bin/pip install --no-cache-dir .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 homecare
COPY --from=build /opt/venv /opt/venv
COPY deploy/start.sh /usr/local/bin/start.sh
COPY data /app/data
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 HOMECARE_ENV=production HOMECARE_INSTANCE=/app/instance
WORKDIR /app
RUN mkdir -p /app/instance && chown homecare /app/instance
USER homecare
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz').status == 200 else 1)"
ENTRYPOINT ["start.sh"]
CMD ["web"]
