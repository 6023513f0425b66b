from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.roles import RoleName
from accounts.services import user_create


class Command(BaseCommand):
    help = "Create a console user with a role (for scripts; createsuperuser still works)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=RoleName.values)
        parser.add_argument("--password", required=True, help="The initial password.")
        parser.add_argument("--email", default="")

    def handle(self, *args, username: str, role: str, password: str, email: str, **options):
        try:
            user = user_create(username=username, role=role, password=password, email=email)
        except ValidationError as error:
            problems = "; ".join(
                f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items()
            )
            raise CommandError(problems) from error
        self.stdout.write(f"User '{user.get_username()}' created as {RoleName(role).label}.")
