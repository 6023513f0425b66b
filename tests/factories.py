import factory
from django.contrib.auth import get_user_model

from connectors.models import Connector


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"marketer{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct horse battery staple")
    is_staff = True
    is_superuser = True


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
