from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Users and roles"

    def ready(self) -> None:
        from accounts.services import role_groups_sync_after_migrate

        # After every migrate (and every test-database flush) the role groups follow accounts.roles.
        post_migrate.connect(
            role_groups_sync_after_migrate, sender=self, dispatch_uid="accounts-role-groups"
        )
