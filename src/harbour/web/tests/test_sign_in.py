import pytest
from django.urls import reverse

from harbour.testing import make_agency, make_staff

pytestmark = pytest.mark.django_db


def test_wrong_password_and_unknown_user_get_the_same_govuk_error(client):
    staff = make_staff(make_agency("police"))
    wrong = client.post(reverse("web:sign-in"), {"username": staff.email, "password": "nope"})
    unknown = client.post(
        reverse("web:sign-in"), {"username": "nobody@example.test", "password": "nope"}
    )
    for response in (wrong, unknown):
        body = response.content.decode()
        assert response.status_code == 200
        assert "govuk-error-summary" in body
        assert "Enter a correct email address and password" in body
        assert 'href="#id_username"' in body
    assert "_auth_user_id" not in client.session


def test_a_deactivated_user_cannot_sign_in(client):
    staff = make_staff(make_agency("police"), is_active=False)
    response = client.post(
        reverse("web:sign-in"), {"username": staff.email, "password": "correct horse battery"}
    )
    assert "Enter a correct email address and password" in response.content.decode()


def test_sign_in_then_home_shows_role_navigation(client):
    staff = make_staff(make_agency("police"))
    response = client.post(
        reverse("web:sign-in"),
        {"username": staff.email, "password": "correct horse battery"},
        follow=True,
    )
    body = response.content.decode()
    assert "Find a child" in body
    assert "Break-glass reviews" not in body
    assert "govuk-service-navigation" in body


def test_missing_fields_link_to_each_field(client):
    body = client.post(reverse("web:sign-in"), {}).content.decode()
    assert 'href="#id_username"' in body
    assert 'href="#id_password"' in body
    assert "Enter your email address" in body


def test_error_pages_use_the_govuk_pattern(client):
    body = client.get("/no-such-page/").content.decode()
    assert "Page not found" in body
    assert "govuk-heading-l" in body
