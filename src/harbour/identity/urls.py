from django.urls import path

from harbour.identity import alert_views, event_form_views, views

app_name = "identity"

urlpatterns = [
    path("review/", views.review_queue, name="review-queue"),
    path("review/<int:pair_id>/", views.review_pair, name="review-pair"),
    path("people/<int:number>/", views.person, name="person"),
    path("people/<int:number>/merge/", views.person_merge, name="person-merge"),
    path("people/<int:number>/split/", views.person_split, name="person-split"),
    path("held/", views.held_list, name="held"),
    path("held/<int:held_id>/", views.held_record, name="held-record"),
    path("work/<slug:kind>/<int:pk>/allocate/", views.work_allocate, name="allocate"),
    path("import/", views.import_records, name="import"),
    path("events/import/", views.events_import, name="events-import"),
    path("events/import/<uuid:import_id>/", views.events_import_run, name="events-import-run"),
    path("record/", event_form_views.record_start, name="record-start"),
    path("record/<slug:slug>/", event_form_views.record_form, name="record-form"),
    path("record/<slug:slug>/check/", event_form_views.record_check, name="record-check"),
    path("record/<slug:slug>/done/", event_form_views.record_done, name="record-done"),
    path("children/<uuid:child_id>/associates/", views.child_associates, name="associates"),
    path("needs/", alert_views.needs_list, name="needs"),
    path("flags/", alert_views.flags_list, name="flags"),
    path("children/<uuid:child_id>/needs/", alert_views.child_needs, name="child-needs"),
    path("children/<uuid:child_id>/flags/", alert_views.child_flags, name="child-flags"),
    path("flag-rules/", alert_views.flag_rules, name="flag-rules"),
    path("flag-rules/<int:pk>/", alert_views.flag_rule_edit, name="flag-rule-edit"),
    path("flag-rules/<int:pk>/switch/", alert_views.flag_rule_switch, name="flag-rule-switch"),
]
