"""The education limits' pages. The root URL conf mounts them under
``/partnership/education-limits/``, where people find them, though the limits are this app's
(ADR 0020)."""

from django.urls import path

from harbour.children import limit_views

app_name = "limits"

urlpatterns = [
    path("", limit_views.education_limit_list, name="education-limit-list"),
    path(
        "<slug:status>/change/",
        limit_views.education_limit_edit,
        name="education-limit-edit",
    ),
]
