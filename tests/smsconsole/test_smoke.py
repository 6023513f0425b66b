import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_login_page_renders(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"Sign in" in response.content


@pytest.mark.django_db
def test_connectors_page_requires_login(client):
    response = client.get(reverse("connectors:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
