from django.core.management.base import BaseCommand, CommandError

from smsconsole.services import api_key_create


class Command(BaseCommand):
    help = (
        "Create an API key and print it (last line of output). "
        "It is stored hashed and shown only now."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="What the key is for, e.g. the integration using it.")

    def handle(self, *args, name: str, **options):
        try:
            issued = api_key_create(name=name)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stderr.write(
            f"API key '{issued.api_key.name}' created. Store it now; it cannot be shown again."
        )
        self.stdout.write(issued.key)
