"""``manage.py check_ledger``: verify every ledger invariant of R25 (and the advance rule of R20).

Exits with status 1 and lists the violations when any invariant fails; prints "ledger OK" otherwise.
"""

from django.core.management.base import BaseCommand, CommandError

from applications.decisions.checks import ledger_violations


class Command(BaseCommand):
    help = "Verify the money ledger: ceilings, held amounts, decisions vs entries, advances (R20, R25)."

    def handle(self, *args, **options):
        problems = ledger_violations()
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(problems)} ledger invariant violation(s)", returncode=1)
        self.stdout.write("ledger OK")
