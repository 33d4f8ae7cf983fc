from django.urls import path

from harbour.frontdoor import rapid_views, views

app_name = "frontdoor"

urlpatterns = [
    # The referrer.
    path("referrals/", views.home, name="home"),
    path("referrals/new/", views.start, name="start"),
    path("referrals/messages/", views.notifications, name="notifications"),
    path("referrals/<int:referral_id>/", views.detail, name="detail"),
    path("referrals/<int:referral_id>/find-child/", views.find_child, name="find-child"),
    path("referrals/<int:referral_id>/choose-child/", views.choose_child, name="choose-child"),
    path("referrals/<int:referral_id>/check/", views.check, name="check"),
    path("referrals/<int:referral_id>/sent/", views.sent, name="sent"),
    path("referrals/<int:referral_id>/escalate/", views.escalate, name="escalate"),
    path("referrals/<int:referral_id>/questions/<slug:slug>/", views.question, name="question"),
    # The front door.
    path("front-door/", views.queue, name="queue"),
    path("front-door/referrals/<int:referral_id>/allocate/", views.allocate, name="allocate"),
    path("front-door/oversight/", views.oversight, name="oversight"),
    path(
        "front-door/referrals/<int:referral_id>/child/", views.confirm_child, name="confirm-child"
    ),
    path("front-door/referrals/<int:referral_id>/rate/", views.rate, name="rate"),
    path("front-door/referrals/<int:referral_id>/decide/", views.decide, name="decide"),
    path("front-door/referrals/<int:referral_id>/reopen/", views.reopen, name="reopen"),
    path(
        "front-door/decisions/<int:decision_id>/countersign/", views.countersign, name="countersign"
    ),
    path(
        "front-door/escalations/<int:escalation_id>/resolve/",
        views.resolve_escalation,
        name="resolve-escalation",
    ),
    path(
        "front-door/referrals/<int:referral_id>/strategy-meeting/",
        views.meeting_convene,
        name="meeting-convene",
    ),
    path("front-door/strategy-meetings/<int:meeting_id>/", views.meeting, name="meeting"),
    path(
        "front-door/strategy-meetings/<int:meeting_id>/record/",
        views.meeting_record,
        name="meeting-record",
    ),
    path(
        "front-door/strategy-meetings/<int:meeting_id>/actions/add/",
        views.meeting_action_add,
        name="meeting-action-add",
    ),
    path("front-door/audits/", views.audits, name="audits"),
    path("front-door/audits/new/", views.audit_add, name="audit-add"),
    path("front-door/audits/<int:audit_id>/", views.audit, name="audit"),
    path("front-door/audits/referrals/<int:case_id>/", views.audit_case, name="audit-case"),
    path("front-door/reports/", views.report, name="report"),
    path("front-door/reports/<slug:table>/download/", views.report_csv, name="report-csv"),
    # Rapid response after a serious incident (ADR 0016).
    path("front-door/rapid-response/", rapid_views.rapid_responses, name="rapid-responses"),
    path(
        "front-door/rapid-response/incidents/<int:event_id>/",
        rapid_views.rapid_incident,
        name="rapid-incident",
    ),
    path(
        "front-door/rapid-response/<int:response_id>/",
        rapid_views.rapid_response,
        name="rapid-response",
    ),
    path(
        "front-door/rapid-response/<int:response_id>/children/<int:row_id>/contact/",
        rapid_views.rapid_response_contact,
        name="rapid-response-contact",
    ),
    path(
        "front-door/rapid-response/<int:response_id>/record/",
        rapid_views.rapid_response_record,
        name="rapid-response-record",
    ),
    path(
        "front-door/rapid-response/<int:response_id>/close/",
        rapid_views.rapid_response_close,
        name="rapid-response-close",
    ),
    # The partnership's rules.
    path("front-door/rules/", views.rules, name="rules"),
    path("front-door/rules/completeness/<slug:item>/", views.rule_edit, name="rule-edit"),
    path(
        "front-door/rules/service-levels/<slug:step>/",
        views.service_level_edit,
        name="service-level-edit",
    ),
    # A referral's steps have a time on each clock (ADR 0019).
    path(
        "front-door/rules/clocks/<slug:clock>/<slug:step>/",
        views.service_level_edit,
        name="clock-level-edit",
    ),
    path("front-door/rules/working-hours/", views.working_hours_edit, name="working-hours-edit"),
    path("front-door/rules/bank-holidays/add/", views.bank_holiday_add, name="bank-holiday-add"),
    path(
        "front-door/rules/bank-holidays/<int:holiday_id>/remove/",
        views.bank_holiday_remove,
        name="bank-holiday-remove",
    ),
]
