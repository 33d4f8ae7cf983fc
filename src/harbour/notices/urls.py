from django.urls import path

from harbour.notices import views

app_name = "notices"

urlpatterns = [
    path("", views.notice_list, name="list"),
    path("settings/", views.notice_settings, name="settings"),
    path("<int:notice_id>/", views.notice_open, name="open"),
]
