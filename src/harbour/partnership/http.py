"""The request of a signed-in member of staff, for views behind ``login_required``."""

from __future__ import annotations

from django.http import HttpRequest

from harbour.partnership.models import Staff


class AuthenticatedHttpRequest(HttpRequest):
    """django-stubs' pattern: behind ``login_required`` the user is a ``Staff`` member, never
    ``AnonymousUser``, so views pass ``request.user`` to the policy and services as the actor."""

    user: Staff
