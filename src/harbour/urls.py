from django.urls import include, path

from harbour.frontdoor.api import api

urlpatterns = [
    path("", include("harbour.pages.urls")),
    path("", include("harbour.web.urls")),
    path("children/", include("harbour.children.urls")),
    path("access/", include("harbour.access.urls")),
    path("partnership/", include("harbour.partnership.urls")),
    # The children app's education limits, found among the partnership's pages (ADR 0020).
    path("partnership/education-limits/", include("harbour.children.limit_urls")),
    path("language/", include("harbour.language.urls")),
    path("identity/", include("harbour.identity.urls")),
    path("insight/", include("harbour.insight.urls")),
    path("notices/", include("harbour.notices.urls")),
    path("", include("harbour.frontdoor.urls")),
    path("api/", api.urls),  # the automated referrals API and its docs (ADR 0011)
    # No Django admin: the partnership is run through its own audited pages (ADR 0002).
]

handler400 = "harbour.web.views.error_400"
handler403 = "harbour.web.views.error_403"
handler404 = "harbour.web.views.error_404"
handler500 = "harbour.web.views.error_500"
