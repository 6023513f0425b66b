from django.core.management.base import BaseCommand, CommandError

from core.models import API_SCOPES
from core.services import api_key_create


class Command(BaseCommand):
    help = (
        "Create an API key and print it (last line of output). "
        "It is stored hashed and shown only now. Without --scope the key has full access."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="What the key is for, e.g. the integration using it.")
        parser.add_argument(
            "--scope",
            action="append",
            choices=list(API_SCOPES),
            dest="scopes",
            help="What the key may do; repeat for several. Default: every scope (full access).",
        )
        parser.add_argument(
            "--allow-from",
            action="append",
            default=[],
            dest="allowed_networks",
            metavar="CIDR",
            help="A client address or network the key may be used from, e.g. 203.0.113.0/24; "
            "repeat for several. Default: any address.",
        )
        parser.add_argument(
            "--callback-url",
            default="",
            metavar="URL",
            help="Where events of messages sent with the key are posted when a message names "
            "no callback_url. Its callback secret is shown on the Settings page.",
        )

    def handle(self, *args, name: str, scopes, allowed_networks, callback_url: str, **options):
        try:
            issued = api_key_create(
                name=name,
                scopes=scopes,
                allowed_networks=allowed_networks,
                callback_url=callback_url,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stderr.write(
            f"API key '{issued.api_key.name}' created ({', '.join(issued.api_key.scopes)}). "
            "Store it now; it cannot be shown again. Its callback secret is on the Settings page."
        )
        self.stdout.write(issued.key)
