"""An advance decision paid in a payment batch of its own, as a confirmed advance run (R48) leaves it: for tests
that need advances paid without running the whole run."""

import hashlib

from django.core.files.base import ContentFile
from django.utils import timezone

from applications import sepa
from applications.decisions.advances import execution_date
from applications.models import AdvanceRun, AdvanceRunLine, AdvanceRunStatus, PaymentBatch


def paid_in_batch(decision) -> PaymentBatch:
    app = decision.application
    amount = decision.advance_amount
    run = AdvanceRun.objects.create(
        period=app.period, status=AdvanceRunStatus.CONFIRMED, advance_percent=app.period.advance_percent,
        total=amount, count=1, ledger_count=0, ledger_last=0, created_by=decision.decided_by,
        confirmed_by=decision.decided_by, confirmed_at=timezone.now(),
    )
    AdvanceRunLine.objects.create(
        run=run, application=app, employer=app.employer, earmark=app.employer.earmark, approved_amount=amount,
        granted_amount=amount, eligible_amount=amount, cap=amount, entitled=amount, already_paid=0, advance=amount,
        iban=app.employer.iban, account_holder=app.employer.account_holder, decision=decision,
    )
    day = execution_date(timezone.localdate())
    xml, message_id = sepa.credit_transfer(
        payments=[sepa.Payment(name=app.employer.account_holder, iban=app.employer.iban, bic="", amount=amount,
                               end_to_end_id=app.reference, description=f"Voorschot {app.reference}")],
        execution_date=day,
    )
    batch = PaymentBatch(run=run, period=app.period, total=amount, count=1, message_id=message_id, execution_date=day,
                         sha256=hashlib.sha256(xml).hexdigest(), created_by=decision.decided_by)
    batch.file.save(f"advance-run-{run.pk}.xml", ContentFile(xml), save=False)
    batch.save()
    return batch
