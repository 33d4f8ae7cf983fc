"""The kit answers the refusals it is told about (ADR 0020): the access app registers the
policy's, so a view wrapped in ``policy_errors`` answers 404 and 403 as responses."""

import pytest
from django.test import RequestFactory

from harbour.access import policy
from harbour.web import responses
from harbour.web.responses import policy_errors

pytestmark = pytest.mark.django_db


def refusing(exception):
    @policy_errors
    def view(request):
        raise exception

    return view


def test_the_access_app_registers_the_policys_refusals_in_order():
    assert list(responses._REFUSALS) == [policy.NotFound, policy.Forbidden]


@pytest.mark.parametrize(
    ("exception", "status"), [(policy.NotFound("x"), 404), (policy.Forbidden("x"), 403)]
)
def test_a_refusal_is_answered_as_a_response(exception, status):
    assert refusing(exception)(RequestFactory().get("/")).status_code == status


def test_anything_else_is_not_caught():
    with pytest.raises(KeyError):
        refusing(KeyError("x"))(RequestFactory().get("/"))
