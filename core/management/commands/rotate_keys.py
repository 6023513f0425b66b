from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from core.crypto import EncryptedTextField


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored secret with the first key of SMSCONSOLE_ENCRYPTION_KEYS. "
        "Run after putting a new key first; the old keys can be removed afterwards."
    )

    def handle(self, *args, **options):
        total = 0
        with transaction.atomic():
            for model in apps.get_models():
                fields = [f.name for f in model._meta.fields if isinstance(f, EncryptedTextField)]
                if not fields:
                    continue
                # Loading decrypts with whichever key made the row; saving encrypts with the newest.
                for obj in model.objects.all().iterator():
                    model.objects.filter(pk=obj.pk).update(
                        **{name: getattr(obj, name) for name in fields}
                    )
                    total += 1
        self.stdout.write(f"Re-encrypted the secrets of {total} row(s) with the newest key.")
