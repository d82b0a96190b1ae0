# The NL Design System CSS and tokens come from npm (package-lock.json), as `make static-assets` copies them.
FROM node:20-bookworm-slim AS nlds
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error \
    && mkdir -p nlds \
    && cp node_modules/@rijkshuisstijl-community/design-tokens/dist/index.css nlds/rhc-tokens.css \
    && cp node_modules/@utrecht/component-library-css/dist/index.css nlds/utrecht-components.css \
    && cp node_modules/@utrecht/component-library-css/dist/html.css nlds/utrecht-html.css

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=sectorplan.settings.production
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core gettext \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements/ requirements/
RUN pip install --no-cache-dir -r requirements/base.txt
COPY . .
COPY --from=nlds /build/nlds/ static/nlds/
RUN SECRET_KEY=build DATABASE_URL=postgres://build@localhost/build CELERY_BROKER_URL=redis://localhost \
    python manage.py collectstatic --noinput -v0 && python manage.py compilemessages -v0 --ignore=.venv
RUN useradd --uid 1000 app && mkdir -p /data/letters && chown app /data/letters
USER app
EXPOSE 8000
CMD ["gunicorn", "sectorplan.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
