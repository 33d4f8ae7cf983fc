from django.urls import path

from harbour.insight import views

app_name = "insight"

urlpatterns = [
    path("", views.store, name="store"),
    path("store.csv", views.store_csv, name="store-csv"),
    path("import/", views.import_file, name="import"),
    path("imports/<uuid:import_id>/", views.import_run, name="import-run"),
    path("needs-assessment/", views.needs, name="needs"),
    path("disproportionality/", views.disproportionality, name="disproportionality"),
    path("hidden-harm/", views.hidden, name="hidden-harm"),
    path("board-report.xlsx", views.board_report, name="board-report"),
    path("board-report.pdf", views.board_report_pdf, name="board-report-pdf"),
    path("alerts/", views.alert_list, name="alerts"),
    path("alerts/<int:alert_id>/", views.alert, name="alert"),
    path("alerts/measures/", views.alert_measures, name="alert-measures"),
    path("alerts/measures/<slug:series>/", views.alert_measure, name="alert-measure"),
]
