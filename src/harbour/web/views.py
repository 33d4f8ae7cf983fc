from __future__ import annotations

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


class SignInView(auth_views.LoginView):
    template_name = "web/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


sign_out = auth_views.LogoutView.as_view()


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
