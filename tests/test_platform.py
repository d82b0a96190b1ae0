"""The service's own promises: health, schema, settings, docker-compose."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"] == "ok"
    assert response.status_code == 200 and body["status"] == "ok"


@pytest.mark.django_db
def test_healthz_reports_a_broker_that_is_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "error"  # no exception class or message: nothing about the internals


def test_schema_generates_without_warnings_and_matches_openapi_json(tmp_path):
    """Drift: the committed openapi.json is what the code generates (`make schema`)."""
    target = tmp_path / "openapi.json"
    call_command(
        "spectacular", "--lang", "en", "--format", "openapi-json", "--file", str(target), "--validate", "--fail-on-warn"
    )
    committed = (ROOT / "openapi.json").read_text()
    assert target.read_text() == committed, "openapi.json is out of date: run `make schema` and commit it"


@pytest.mark.django_db
def test_api_docs_pages_are_served(client):
    assert client.get("/api/docs/").status_code == 200
    assert client.get("/api/redoc/").status_code == 200
    assert client.get("/api/v2/openapi.json").status_code == 200


def _settings_import(module, **env):
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL")}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", f"import {module}"], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def test_production_refuses_to_start_without_secret_key_or_postgres():
    no_secret = _settings_import("sectorplan.settings.production", DATABASE_URL="postgres://x@h/db", CELERY_BROKER_URL="redis://h")
    assert no_secret.returncode != 0 and "SECRET_KEY" in no_secret.stderr
    sqlite = _settings_import(
        "sectorplan.settings.production", SECRET_KEY="s" * 50, DATABASE_URL="sqlite:///x.db", CELERY_BROKER_URL="redis://h"
    )
    assert sqlite.returncode != 0 and "PostgreSQL" in sqlite.stderr
    # With a secret, PostgreSQL and a broker it gets as far as the mail check (tests/test_production_settings.py).
    no_mail = _settings_import(
        "sectorplan.settings.production", SECRET_KEY="s" * 50, DATABASE_URL="postgres://x@h/db", CELERY_BROKER_URL="redis://h"
    )
    assert no_mail.returncode != 0 and "EMAIL_URL" in no_mail.stderr


def test_dev_settings_default_to_sqlite_and_in_process_celery():
    probe = (
        "import sectorplan.settings.dev as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.LANGUAGE_CODE, s.TIME_ZONE, s.USE_TZ)"
    )
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=clean, capture_output=True, text=True)
    assert out.stdout.split() == ["django.db.backends.sqlite3", "True", "nl", "Europe/Amsterdam", "True"], out.stderr


def test_celery_app_is_configured_for_reliable_delivery():
    from sectorplan.celery import app

    assert app.conf.task_acks_late is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_time_limit and app.conf.task_soft_time_limit
    assert app.conf.accept_content == ["json"] and app.conf.task_serializer == "json"


def test_docker_compose_has_the_services_and_one_shared_environment():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"web", "worker", "beat", "postgres", "redis"} <= set(services)
    assert "gunicorn" in " ".join(services["web"]["command"])
    assert "--max-tasks-per-child" in " ".join(services["worker"]["command"])
    for name in ("web", "postgres", "redis", "worker"):
        assert "healthcheck" in services[name], name
    assert services["web"]["environment"] == services["worker"]["environment"] == services["beat"]["environment"]
    assert services["web"]["environment"]["DATABASE_URL"].startswith("postgres")
    volumes = set(compose["volumes"])
    assert {"pgdata", "letters"} <= volumes
    mounts = lambda s: {v.split(":")[0] for v in services[s].get("volumes", [])}  # noqa: E731
    assert "letters" in mounts("web") and "letters" in mounts("worker")
    assert "pgdata" in mounts("postgres")


def test_make_run_path_migrates_seeds_and_runs_the_office_flow_on_sqlite(tmp_path):
    """`make run` uses SQLite when no DATABASE_URL is set: every migration must run there too."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'dev.sqlite3'}"
    env["DJANGO_SETTINGS_MODULE"] = "sectorplan.settings.dev"
    env["PRIVATE_STORAGE_ROOT"] = str(tmp_path / "private")
    for command in (["manage.py", "migrate", "--noinput", "-v0"], ["manage.py", "seed_demo"],
                    ["tests/support/sqlite_smoke.py"]):
        result = subprocess.run(
            [sys.executable, *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stderr[-3000:]
    # The office flow ran on SQLite with in-process Celery: letters were rendered, pages answered 200.
    assert "sqlite smoke ok" in result.stdout
