import importlib
import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

# Apps that contribute demo data through a `<app>.demo.seed(command)` function.
DEMO_APPS = ("connectors", "inbox", "messaging", "messaging.campaigns")


class Command(BaseCommand):
    help = "Seed a demo: an admin user and data from each app. Running it again changes nothing."

    def handle(self, *args, **options):
        self._seed_admin()
        for app in DEMO_APPS:
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as error:
                if error.name != f"{app}.demo":
                    raise
                continue
            module.seed(self)

    def _seed_admin(self) -> None:
        user_model = get_user_model()
        if user_model.objects.filter(username="admin").exists():
            self.stdout.write("Demo admin user 'admin' exists (password unchanged).")
            return
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD") or secrets.token_urlsafe(12)
        user_model.objects.create_superuser("admin", "admin@example.com", password)
        shown = (
            "from DJANGO_SUPERUSER_PASSWORD"
            if os.environ.get("DJANGO_SUPERUSER_PASSWORD")
            else password
        )
        self.stdout.write(
            self.style.SUCCESS(f"Demo admin user created: admin / {shown}  (shown once)")
        )
