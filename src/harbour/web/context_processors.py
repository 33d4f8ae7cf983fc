from typing import Any

from django.conf import settings
from django.http import HttpRequest

from harbour.web.navigation import navigation_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "service_name": settings.HARBOUR_SERVICE_NAME,
        "partnership_name": settings.HARBOUR_PARTNERSHIP_NAME,
        "synthetic_data": settings.HARBOUR_SYNTHETIC_DATA,
        "service_navigation": navigation_for(user, request.path),
    }
