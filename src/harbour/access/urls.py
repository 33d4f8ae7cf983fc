from django.urls import path

from harbour.access import views

app_name = "access"

urlpatterns = [
    path("break-glass/", views.break_glass_queue, name="break-glass-queue"),
    path("break-glass/<uuid:grant_id>/", views.break_glass_review, name="break-glass-review"),
    path("access-alerts/<int:alert_id>/", views.access_alert, name="access-alert"),
    path("audit-trail/", views.audit_trail, name="audit-trail"),
    path("audit-trail.csv", views.audit_trail_csv, name="audit-trail-csv"),
    path("audit-trail/check/", views.audit_chain_check, name="audit-chain-check"),
]
