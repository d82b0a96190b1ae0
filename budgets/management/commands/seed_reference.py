from django.core.management.base import BaseCommand

from budgets.services import reference_data_seed


class Command(BaseCommand):
    help = "Load the reference data of domain.md §3 (regions, organisations, periods, rates). Idempotent."

    def handle(self, *args, **options):
        created = reference_data_seed()
        summary = ", ".join(f"{k}: {v}" for k, v in created.items())
        self.stdout.write(self.style.SUCCESS(f"Reference data loaded (created {summary})."))
