from django.urls import path

from harbour.pages import views

app_name = "pages"

# Each page keeps the address people know it by, whichever app's part of the site that is.
urlpatterns = [
    path("", views.home, name="home"),
    path(
        "access/children/<uuid:child_id>/viewed-by/",
        views.child_access_log,
        name="child-access-log",
    ),
]
