"""Bulk import of plan lines and registrations from CSV or XLSX (R13): read, type, validate in memory, insert.

Interface used by the API and the portal:

    import_start(*, kind, application, uploaded_file, by) -> list | ImportJob
    import_plan_lines(*, application, uploaded_file, by) -> list[PlanLine]
    import_registrations(*, application, uploaded_file, by) -> list[Registration]

The file is read by the one table reader, ``sectorplan.tabular`` (limits: 10 MB, 20,000 rows, 50 MB unpacked
``.xlsx``, each a 413; strictness: duplicate or unknown headers, extra cells, an unquoted ``1500,75`` in a
comma-separated file, each a line/field/reason). Every bad row is reported (``line``, ``field``, ``code``,
``message``) and nothing is saved when any row is bad. Line 1 is the header row; the first data row is line 2.
Messages name the field and the reason, never the value (R40: no personal data in errors). Dates and numbers
are read by ``sectorplan.parsing``.

``import_start`` imports a file of at most ``tabular.ASYNC_ROWS`` (1,000) data rows in the request; a larger
one becomes an :class:`~applications.models.ImportJob` run by the Celery task ``applications.tasks.run_import``
(all or nothing as well), which the API (``GET /api/v2/imports/{id}``) and the portal page poll.
"""

import logging
from datetime import timedelta

from celery import current_app
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sectorplan import tabular
from sectorplan.api.errors import DomainError
from sectorplan.parsing import ParseError

from . import registrations, rules, services
from .models import Application, ImportJob, ImportKind, ImportStatus, PlanLine, Registration

logger = logging.getLogger(__name__)

#: The limits live in the one table reader (``sectorplan.tabular``); named here for the callers and tests.
MAX_FILE_BYTES = tabular.MAX_FILE_BYTES
MAX_ROWS = tabular.MAX_ROWS
ASYNC_ROWS = tabular.ASYNC_ROWS

COLUMNS = rules.REGISTRATION_FIELDS


def _convert(raw: dict, line: int, errors: list[dict], inputs: dict[str, rules.InputRule]) -> dict | None:
    """Turn one row's raw cells into typed values with the fields' one definition (``rules.clean_input``),
    appending an error per bad field."""
    values: dict = {}
    row_errors: list[dict] = []
    for field, rule in inputs.items():
        value = raw.get(field)
        if tabular.blank(value):
            if rule.required:
                row_errors.append(
                    {"line": line, "field": field, "code": "required", "message": str(_("This field is required."))}
                )
            else:
                values[field] = None
            continue
        try:
            values[field] = rules.clean_input(rule, value)
        except ParseError as exc:
            row_errors.append({"line": line, "field": field, "code": exc.code, "message": exc.message})
    if row_errors:
        errors.extend(row_errors)
        return None
    return values


def _spec(kind: str) -> dict:
    if kind == ImportKind.PLAN_LINES:
        return {"inputs": rules.PLAN_LINE_INPUT, "aliases": rules.PLAN_LINE_ALIASES, "no_rows": _("The file has no plan lines.")}
    return {"inputs": rules.REGISTRATION_INPUT, "aliases": {}, "no_rows": _("The file has no registration rows.")}


def read_table(uploaded_file, *, kind: str, data: bytes | None = None) -> tabular.Table:
    """The file as a table of ``kind``'s columns, within the limits (413) and strictly read (400)."""
    spec = _spec(kind)
    inputs = spec["inputs"]
    return tabular.read_table(
        uploaded_file, columns=tuple(inputs), optional=frozenset(n for n, r in inputs.items() if not r.required),
        aliases=spec["aliases"], no_rows=spec["no_rows"], data=data,
    )


def convert_table(table: tabular.Table, *, kind: str, progress=None) -> tuple[list[dict], list[int], list[dict]]:
    """Type every row of ``table`` with the fields' one definition: ``(typed rows, their lines, errors)``.
    ``progress(done, total)`` is called every 1,000 rows (the background import reports it)."""
    inputs = _spec(kind)["inputs"]
    rows: list[dict] = []
    lines: list[int] = []
    errors: list[dict] = list(table.errors)
    total = len(table.rows)
    for done, (line, raw) in enumerate(table.rows, start=1):
        values = _convert(raw, line, errors, inputs)
        if values is not None:
            rows.append(values)
            lines.append(line)
        if progress is not None and done % 1000 == 0:
            progress(done, total)
    return rows, lines, errors


def parse_file(uploaded_file, *, kind: str) -> tuple[list[dict], list[int], list[dict]]:
    """Parse a file of ``kind`` once: ``(typed rows, their line numbers, errors)``."""
    return convert_table(read_table(uploaded_file, kind=kind), kind=kind)


def parse_registration_file(uploaded_file) -> tuple[list[dict], list[int], list[dict]]:
    return parse_file(uploaded_file, kind=ImportKind.REGISTRATIONS)


def parse_plan_line_file(uploaded_file) -> tuple[list[dict], list[int], list[dict]]:
    """Header ``activity_type;focus;count;planned_cost``, or the Dutch names of ``rules.PLAN_LINE_ALIASES``."""
    return parse_file(uploaded_file, kind=ImportKind.PLAN_LINES)


def _require_state(kind: str, application: Application) -> None:
    if kind == ImportKind.PLAN_LINES:
        services.require_draft(application)
    else:
        registrations.require_granted(application)


def _import_rows(*, kind: str, application: Application, rows, lines, parse_errors, by):
    """All or nothing: every bad row (parse errors and the rules' errors) at once, else the rows saved."""
    if kind == ImportKind.PLAN_LINES:
        validate, add = services.plan_lines_validate, services.plan_lines_add
    else:
        validate, add = registrations.registrations_validate, registrations.registrations_add
    if parse_errors:
        # Also check the rows that did parse, so the answer lists every bad row at once.
        rule_errors = validate(application=application, rows=rows, line_numbers=lines)
        raise DomainError(sorted(parse_errors + rule_errors, key=lambda e: e.get("line") or 0))
    return add(application=application, rows=rows, by=by, line_numbers=lines)


def import_registrations(*, application: Application, uploaded_file, by) -> list[Registration]:
    """Import every row of ``uploaded_file`` into ``application`` (granted), or nothing at all."""
    registrations.require_granted(application)
    rows, lines, errors = parse_registration_file(uploaded_file)
    return _import_rows(kind=ImportKind.REGISTRATIONS, application=application, rows=rows, lines=lines,
                        parse_errors=errors, by=by)


def import_plan_lines(*, application: Application, uploaded_file, by) -> list[PlanLine]:
    """Import every plan line of ``uploaded_file`` into ``application`` (a draft), or nothing at all (R13)."""
    services.require_draft(application)
    rows, lines, errors = parse_plan_line_file(uploaded_file)
    return _import_rows(kind=ImportKind.PLAN_LINES, application=application, rows=rows, lines=lines,
                        parse_errors=errors, by=by)


# --- background imports ------------------------------------------------------------------------------------


def import_start(*, kind: str, application: Application, uploaded_file, by) -> list | ImportJob:
    """Start an import of ``kind``: the file is read within the limits and strictly in the request (cheap,
    bounded); a file of at most :data:`ASYNC_ROWS` data rows is imported at once (the created objects are
    returned), a larger one by a Celery task (the :class:`ImportJob` is returned, ``pending``)."""
    _require_state(kind, application)
    data = tabular.read_bytes(uploaded_file)
    table = read_table(uploaded_file, kind=kind, data=data)
    if len(table.rows) + len(table.errors) <= ASYNC_ROWS:
        rows, lines, errors = convert_table(table, kind=kind)
        return _import_rows(kind=kind, application=application, rows=rows, lines=lines, parse_errors=errors, by=by)
    job = ImportJob.objects.create(
        application=application, kind=kind, filename=(getattr(uploaded_file, "name", "") or "")[:255],
        content=data, rows=len(table.rows), created_by=by,
    )
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    try:
        current_app.send_task("applications.tasks.run_import", args=[job_id])
    except Exception:  # noqa: BLE001 - any broker error: the sweeper starts waiting imports again
        logger.exception("could not enqueue import %s; the sweeper will retry", job_id)


def _progress(job_id: int, percent: int) -> None:
    ImportJob.objects.filter(pk=job_id, status=ImportStatus.RUNNING).update(progress=max(0, min(percent, 99)))


def _claim(job_id: int) -> ImportJob | None:
    """Mark the job running; None when it already finished (a redelivered task does nothing)."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update(of=("self",)).select_related("application", "created_by").get(pk=job_id)
        if job.status in (ImportStatus.DONE, ImportStatus.FAILED):
            return None
        job.status = ImportStatus.RUNNING
        job.claimed_at = timezone.now()
        job.progress = 0
        job.save(update_fields=["status", "claimed_at", "progress"])
    return job


def import_job_run(*, job_id: int) -> None:
    """Run a background import all or nothing, as a synchronous one: ``done`` with the number created, or
    ``failed`` with every problem. Idempotent: a finished job is left alone."""
    job = _claim(job_id)
    if job is None:
        return
    try:
        _require_state(job.kind, job.application)
        table = read_table(None, kind=job.kind, data=bytes(job.content))
        _progress(job.pk, 5)
        rows, lines, errors = convert_table(
            table, kind=job.kind, progress=lambda done, total: _progress(job.pk, 5 + 55 * done // max(total, 1))
        )
        _progress(job.pk, 60)
        created = _import_rows(kind=job.kind, application=job.application, rows=rows, lines=lines,
                               parse_errors=errors, by=job.created_by)
    except (DomainError, tabular.FileTooLarge) as exc:
        problems = exc.errors if isinstance(exc, DomainError) else [
            tabular.error(exc.limit_code, exc.detail)
        ]
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED, errors=problems, content=b"", finished_at=timezone.now(),
        )
        logger.info("import %s failed: %s errors", job.pk, len(problems))
        return
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.DONE, progress=100, created_count=len(created), content=b"", finished_at=timezone.now(),
    )
    logger.info("import %s done: %s rows", job.pk, len(created))


def imports_requeue_stuck(*, grace_seconds: int = 300) -> list[int]:
    """Jobs waiting (enqueue failed) or running on a lost worker for longer than ``grace_seconds``: started again."""
    cutoff = timezone.now() - timedelta(seconds=grace_seconds)
    stuck = list(
        ImportJob.objects.filter(status__in=[ImportStatus.PENDING, ImportStatus.RUNNING])
        .filter(created_at__lt=cutoff)
        .exclude(claimed_at__gte=cutoff)
        .values_list("pk", flat=True)[:100]
    )
    for job_id in stuck:
        _enqueue(job_id)
    return stuck
