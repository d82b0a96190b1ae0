from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounting.demo import DEMO_PASSWORD, demo_second_factors, seed_demo


class Command(BaseCommand):
    help = "Add demo employers, one login per role, a demo period and a few applications. Idempotent."

    def handle(self, *args, **options):
        if settings.ENVIRONMENT == "production":
            raise CommandError("Demo data is never loaded in production.")
        logins = seed_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded. Logins (password for all: {DEMO_PASSWORD}):"))
        for username, role in logins:
            self.stdout.write(f"  {username:<15} {role}")
        self.stdout.write(
            "Second factor (R41): office, Commission and staff accounts also need the 6-digit code of an authenticator "
            "app; add each secret below to one (or open the otpauth:// address as a QR code):"
        )
        for username, secret, url in demo_second_factors():
            self.stdout.write(f"  {username:<15} {secret}")
            self.stdout.write(f"  {'':<15} {url}")
