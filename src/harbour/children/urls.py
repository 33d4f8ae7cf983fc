from django.urls import path

from harbour.children import views

app_name = "children"

urlpatterns = [
    path("", views.search, name="search"),
    path("attention/", views.attention, name="attention"),
    path("reports/", views.cohort_report, name="cohort-report"),
    path("<uuid:child_id>/", views.summary, name="summary"),
    path("<uuid:child_id>/break-glass/", views.break_glass, name="break-glass"),
    path("<uuid:child_id>/chronology/", views.chronology, name="chronology"),
    path(
        "<uuid:child_id>/plans/<int:plan_id>/reviews/add/",
        views.plan_review_add,
        name="plan-review-add",
    ),
    path(
        "<uuid:child_id>/actions/<int:action_id>/status/",
        views.plan_action_status,
        name="plan-action-status",
    ),
    path(
        "<uuid:child_id>/plans/<int:plan_id>/actions/add/",
        views.plan_action_add,
        name="plan-action-add",
    ),
    path(
        "<uuid:child_id>/plans/<int:plan_id>/actions/<int:action_id>/change/",
        views.plan_action_change,
        name="plan-action-change",
    ),
    path(
        "<uuid:child_id>/needs/<int:need_id>/end/",
        views.need_end,
        name="need-end",
    ),
    path(
        "<uuid:child_id>/assessments/<int:assessment_id>/outcome/",
        views.assessment_close,
        name="assessment-close",
    ),
    path(
        "<uuid:child_id>/change/<slug:part>/",
        views.record_change,
        name="record-change",
    ),
]
