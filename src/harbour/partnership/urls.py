from django.urls import path

from harbour.partnership import views

app_name = "partnership"

urlpatterns = [
    path("", views.home, name="home"),
]
