import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts.roles import RoleName
from connectors.models import Connector


class UserFactory(factory.django.DjangoModelFactory):
    """A console user with a role: UserFactory(role="marketer"); role=None for one without."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct horse battery staple")
    role = RoleName.ADMIN
    # As the Users page does it: only Admins may open the Django admin.
    is_staff = factory.LazyAttribute(lambda u: u.role == RoleName.ADMIN)
    is_superuser = False

    @classmethod
    def _create(cls, model_class, *args, role=None, **kwargs):
        user = super()._create(model_class, *args, **kwargs)
        if role:
            user.groups.add(Group.objects.get(name=RoleName(role).label))
        return user

    @classmethod
    def _build(cls, model_class, *args, role=None, **kwargs):
        return super()._build(model_class, *args, **kwargs)


class ConnectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Connector

    name = factory.Sequence(lambda n: f"Connector {n}")
    provider = "jetsms"
    priority = factory.Sequence(lambda n: 10 * (n + 1))
    is_active = True
    username = factory.Sequence(lambda n: f"account{n}")
    password = "s3cret-Pa55word"
    sender_list = factory.LazyFunction(lambda: ["ACME", "ACMEINFO"])
    options = factory.LazyFunction(lambda: {"base_url": "http://127.0.0.1:9", "timeout_seconds": 5})


def message_batch_create(*, recipients: list[tuple[str, str]], **options) -> list:
    """A batch of messages made as a campaign chunk makes them (messages_prepare_batch) and stored
    queued, not enqueued; per (number, text), its message or its ValidationError."""
    from core.rows import objects_create
    from messaging.models import Message
    from messaging.services import messages_prepare_batch

    made = messages_prepare_batch(recipients=recipients, **options)
    objects_create(objects=[message for message in made if isinstance(message, Message)])
    return made
