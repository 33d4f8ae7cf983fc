from django.urls import path

from harbour.frontdoor import views

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
    path("front-door/oversight/", views.oversight, name="oversight"),
    path(
        "front-door/referrals/<int:referral_id>/child/", views.confirm_child, name="confirm-child"
    ),
    path("front-door/referrals/<int:referral_id>/rate/", views.rate, name="rate"),
    path("front-door/referrals/<int:referral_id>/decide/", views.decide, name="decide"),
    path(
        "front-door/decisions/<int:decision_id>/countersign/", views.countersign, name="countersign"
    ),
    path(
        "front-door/escalations/<int:escalation_id>/resolve/",
        views.resolve_escalation,
        name="resolve-escalation",
    ),
    # The partnership's rules.
    path("front-door/rules/", views.rules, name="rules"),
    path("front-door/rules/completeness/<slug:item>/", views.rule_edit, name="rule-edit"),
    path(
        "front-door/rules/service-levels/<slug:step>/",
        views.service_level_edit,
        name="service-level-edit",
    ),
]
