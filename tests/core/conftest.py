"""Fixtures shared by the core tests."""

import pytest
from django.contrib.auth.models import Group, Permission

from tests.factories import UserFactory


@pytest.fixture
def key_manager(db):
    """A user who may manage API keys without being an Admin (a custom group)."""
    group = Group.objects.create(name="Integrators")
    group.permissions.add(Permission.objects.get(codename="manage_api_keys"))
    manager = UserFactory(role=None)
    manager.groups.add(group)
    return manager
