from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounting.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Add demo employers, one login per role, a demo period and a few applications. Idempotent."

    def handle(self, *args, **options):
        if settings.ENVIRONMENT == "production":
            raise CommandError("Demo data is never loaded in production.")
        logins = seed_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded. Logins (password for all: {DEMO_PASSWORD}):"))
        for username, role in logins:
            self.stdout.write(f"  {username:<15} {role}")
