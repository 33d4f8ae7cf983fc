from django.urls import path

from harbour.language import views

app_name = "language"

urlpatterns = [
    path("", views.home, name="home"),
    path("check/", views.check, name="check"),
    path("report/", views.report, name="report"),
    path("report.csv", views.report_csv, name="report-csv"),
    path("rules/", views.rules, name="rules"),
    path("rules/add/", views.rule_add, name="rule-add"),
    path("rules/switch/", views.rule_switch, name="rule-switch"),
    path("rules/<slug:rule_id>/change/", views.rule_edit, name="rule-edit"),
    path("rules/<slug:rule_id>/delete/", views.rule_delete, name="rule-delete"),
]
