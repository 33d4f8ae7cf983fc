from django.urls import path

from harbour.partnership import views

app_name = "partnership"

urlpatterns = [
    path("", views.home, name="home"),
    path("agencies/", views.agency_list, name="agency-list"),
    path("agencies/add/", views.agency_add, name="agency-add"),
    path("agencies/<int:pk>/", views.agency_detail, name="agency-detail"),
    path("agencies/<int:pk>/change/", views.agency_edit, name="agency-edit"),
    path("agencies/<int:pk>/teams/add/", views.team_add, name="team-add"),
    path("teams/<int:pk>/change/", views.team_edit, name="team-edit"),
    path("staff/", views.staff_list, name="staff-list"),
    path("staff/add/", views.staff_add, name="staff-add"),
    path("staff/<int:pk>/change/", views.staff_edit, name="staff-edit"),
    path("agreements/", views.agreement_list, name="agreement-list"),
    path("agreements/add/", views.agreement_add, name="agreement-add"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement-detail"),
    path("agreements/<int:pk>/change/", views.agreement_edit, name="agreement-edit"),
    path("threshold-guidance/", views.threshold_list, name="threshold-list"),
    path("threshold-guidance/add/", views.threshold_add, name="threshold-add"),
    path("threshold-guidance/<int:pk>/", views.threshold_detail, name="threshold-detail"),
    path("threshold-guidance/<int:pk>/change/", views.threshold_edit, name="threshold-edit"),
]
