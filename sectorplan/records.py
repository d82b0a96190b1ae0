"""Records the rules keep for good (R25, R39): decisions, letters, the ledger, timelines, submitted
applications, allocations, the Commission's advice and the reference-data audit.

Two degrees, each enforced on the model (``save``/``delete``) and on its queryset (``update``/``delete``),
so that neither an admin, a shell nor a bulk call can bypass it:

- **append-only** (:class:`AppendOnlyModel`, :class:`AppendOnlyQuerySet`): written once, never changed
  or deleted (decisions, timelines, allocation lines, advice, the reference-data audit);
- **undeletable** (:class:`UndeletableModel`, :class:`UndeletableQuerySet`): services legitimately update
  them (a letter's rendering status, an allocation's status), but nothing deletes them.

Records whose deletion depends on their state (a draft application may go, a submitted one may not)
override ``delete`` themselves. A violation is a programming error, not a user input error, so it
raises :class:`PermanentRecordError` (a ``TypeError``, as the ledger always did).
"""

from typing import NoReturn

from django.db import models


class PermanentRecordError(TypeError):
    """Raised when code tries to change or delete a record the rules keep (R25, R39)."""


def refuse(model, action: str) -> NoReturn:
    """``model`` is a model class or instance. The message is for developers, so it is not translated."""
    raise PermanentRecordError(f"{model._meta.label} rows are permanent records: they cannot be {action} (R25, R39).")


class UndeletableQuerySet(models.QuerySet):
    def delete(self):
        refuse(self.model, "deleted")


class AppendOnlyQuerySet(UndeletableQuerySet):
    def update(self, **kwargs):
        refuse(self.model, "changed")


class UndeletableModel(models.Model):
    """Services may update these rows; nothing deletes them."""

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        abstract = True

    def delete(self, *args, **kwargs):
        refuse(self, "deleted")


class AppendOnlyModel(UndeletableModel):
    """Written once (an insert), never changed or deleted."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            refuse(self, "changed")
        super().save(*args, **kwargs)
