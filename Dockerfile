# Production image: gunicorn for the web, the same image runs the Celery worker and beat.
FROM python:3.11-slim

# PYTHONPATH: `celery -A app:celery_app` builds the app lazily, after Celery has taken
# the working directory off sys.path again; this keeps `leads` and `tasks` importable.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    FLASK_APP=app

WORKDIR /app

# A fixed uid so volume ownership is predictable; no login shell, no sudo.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app

# Dependencies first, so code changes do not reinstall them. psycopg[binary] and
# argon2-cffi ship wheels, so no compiler is needed.
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY --chown=app:app . .
# The message catalogues are compiled here, never committed (translations/*/LC_MESSAGES/*.mo).
RUN pybabel compile -d translations \
    && mkdir -p /app/instance && chown app:app /app/instance && chmod +x boot.sh

USER app
EXPOSE 8000
CMD ["./boot.sh"]
