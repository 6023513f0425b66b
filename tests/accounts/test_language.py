"""A user's console language: the profile's choice wins over the browser's; the chooser stores it."""

import pytest
from django.urls import reverse

from accounts.models import Profile


@pytest.mark.django_db
def test_profile_language_wins_over_the_browser(console, user):
    Profile.objects.create(user=user, language="ar")

    html = console.get(reverse("messaging:compose"), HTTP_ACCEPT_LANGUAGE="tr").content.decode()

    assert '<html lang="ar" dir="rtl">' in html


@pytest.mark.django_db
def test_language_chooser_stores_the_choice_and_returns_to_the_page(console, user):
    answer = console.post(
        reverse("accounts:language"),
        {"language": "tr", "next": "/messages/?status=sent"},
        HTTP_ACCEPT_LANGUAGE="ar",
    )

    assert answer.status_code == 302
    assert answer["Location"] == "/messages/?status=sent"
    assert Profile.objects.get(user=user).language == "tr"
    html = console.get(reverse("messaging:list"), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert '<html lang="tr" dir="ltr">' in html
    assert "<h1>Mesajlar</h1>" in html


@pytest.mark.django_db
def test_language_chooser_refuses_an_unknown_language_and_a_foreign_next(console, user):
    refused = console.post(reverse("accounts:language"), {"language": "xx"})
    foreign = console.post(
        reverse("accounts:language"), {"language": "ar", "next": "https://evil.example/"}
    )

    assert refused.status_code == 400
    assert foreign["Location"] == reverse("home")
    assert Profile.objects.get(user=user).language == "ar"


@pytest.mark.django_db
def test_browser_language_choice_follows_accept_language_again(console, user):
    Profile.objects.create(user=user, language="ar")

    console.post(reverse("accounts:language"), {"language": ""})
    html = console.get(reverse("settings"), HTTP_ACCEPT_LANGUAGE="tr").content.decode()

    assert Profile.objects.get(user=user).language == ""
    assert '<html lang="tr" dir="ltr">' in html


@pytest.mark.django_db
def test_signed_out_visitor_chooses_a_language_on_the_sign_in_page(client):
    client.post(reverse("set_language"), {"language": "ar", "next": "/login/"})

    html = client.get(reverse("login")).content.decode()

    assert '<html lang="ar" dir="rtl">' in html
    assert "تسجيل الدخول" in html
