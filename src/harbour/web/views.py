from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader


class SignInForm(AuthenticationForm):
    """GOV.UK sign-in. The error never says whether the account exists."""

    error_messages = {
        "invalid_login": "Enter a correct email address and password",
        "inactive": "Enter a correct email address and password",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Email address"
        self.fields["username"].widget = forms.EmailInput(
            attrs={"autocomplete": "username", "spellcheck": "false"}
        )
        self.fields["username"].error_messages["required"] = "Enter your email address"
        self.fields["password"].error_messages["required"] = "Enter your password"


logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignInAudit:
    """How signing in and out is recorded (ADR 0018). The kit sits below every app (ADR 0020),
    so the access app, which keeps the audit log, gives it these (``AccessConfig.ready``)."""

    signed_in: Callable[[Any], None]
    failed: Callable[[str], None]
    signed_out: Callable[[Any], None]
    # What a sign-out's record failing raises: the sign-out goes ahead regardless.
    unrecorded: tuple[type[Exception], ...]


_sign_in_audit: SignInAudit | None = None


def use_sign_in_audit(audit: SignInAudit | None) -> None:
    global _sign_in_audit  # one for the process, given once when Django starts
    _sign_in_audit = audit


def _audit() -> SignInAudit:
    # Fail closed: with nothing to record them, nobody signs in.
    if _sign_in_audit is None:
        raise RuntimeError("Signing in is not audited: the access app did not start")
    return _sign_in_audit


class SignInView(auth_views.LoginView):
    """Sign-in, with every sign-in and every failed attempt audited (ADR 0018). The calls are
    explicit here rather than Django's ``user_logged_in``/``user_login_failed`` signals: the
    house keeps logic out of signals, and the event must be written before the session starts so
    that an audit that cannot be written stops the sign-in (503) instead of following it."""

    template_name = "web/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        _audit().signed_in(form.get_user())
        return super().form_valid(form)

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        # Only an attempt to authenticate is a failed sign-in: a form sent with an empty field
        # never reached the password check.
        username, password = form.data.get("username", ""), form.data.get("password", "")
        if username and password:
            _audit().failed(str(username))
        return super().form_invalid(form)


class SignOutView(auth_views.LogoutView):
    """Sign-out, audited before the session ends. Unlike every other action, a sign-out goes
    ahead when its event cannot be written: refusing it would keep a session open on what may be
    a shared computer, which protects no one. The failure goes to the error log instead."""

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.user.is_authenticated:
            audit = _audit()
            try:
                audit.signed_out(request.user)
            except audit.unrecorded:
                logger.exception("Sign-out of user %s could not be audited", request.user.pk)
        return super().post(request, *args, **kwargs)


sign_out = SignOutView.as_view()


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "web/accessibility.html")


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "web/privacy.html")


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # Rendered without the request, so no context processor (or database) can fail it again.
    page = loader.get_template("500.html").render(
        {
            "service_name": settings.HARBOUR_SERVICE_NAME,
            "partnership_name": settings.HARBOUR_PARTNERSHIP_NAME,
        }
    )
    return HttpResponse(page, status=500)
