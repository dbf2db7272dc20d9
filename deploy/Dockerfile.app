# The web app and the action server: Python 3.11 with this package and its pinned set
# (constraints.txt), plus the production extra (PostgreSQL and Redis clients).
# Build after `make index train` (the search index is copied in, not built at start):
#   docker compose build
FROM python:3.11-slim-bookworm
ENV PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 RASA_TELEMETRY_ENABLED=false
WORKDIR /app
COPY pyproject.toml constraints.txt README.md LICENSE ./
COPY knowledge knowledge
COPY actions actions
COPY web web
RUN pip install --no-cache-dir -c constraints.txt -e '.[production]'
# The FAISS index `make index` built for exactly this knowledge/ (its manifest is checked at
# start: a stale one is rebuilt, which takes a minute per process).
COPY .cache/index .cache/index
RUN useradd --system --home /app bot && chown -R bot /app/.cache
USER bot
