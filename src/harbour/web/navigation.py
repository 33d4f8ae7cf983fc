"""Service navigation by role: which items a user may use, which one is current, and which the
header holds (the rest are held by another item, whose page links to them). The items and the
capability each needs are the service's, not the kit's: ``harbour.pages.navigation`` gives them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.urls import reverse

# Whoever a request's user is: the kit sits below the partnership's ``Staff`` and passes the user
# on to the callbacks the pages app gives it.
User = AbstractBaseUser | AnonymousUser


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    action: str | None  # the capability that shows it; None: every signed-in member of staff
    # The item that holds this one, for those who may use both: it is not in their header, and
    # its pages mark the holder as current.
    within: str = ""
    # Other pages that belong to this item when no item's own address claims them.
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class Navigation:
    """The items, in order, and who may use them. The kit sits below every app (ADR 0020): the
    app that composes the service gives it these (``use_navigation``, ``PagesConfig.ready``)."""

    items: tuple[NavItem, ...]
    # Whether the user is active staff with a role (anyone else sees no navigation).
    is_active: Callable[[User], bool]
    # Whether the user may use the capability an item names.
    may_use: Callable[[User, str], bool]


_navigation: Navigation | None = None


def use_navigation(navigation: Navigation | None) -> None:
    global _navigation  # one navigation for the process, given once when Django starts
    _navigation = navigation


def _current(items: list[NavItem], urls: dict[str, str], path: str) -> str:
    """The item a page belongs to: the one whose address starts the page's address, the longest
    if several do (``/children/attention/`` is not "Find a child"); failing that, one that claims
    the page as its own."""
    claims = [
        (len(urls[i.url_name]), i.url_name) for i in items if path.startswith(urls[i.url_name])
    ]
    if claims:
        return max(claims)[1]
    for item in items:
        if any(path.startswith(reverse(name)) for name in item.also):
            return item.url_name
    return ""


def navigation_for(user: User | None, current_path: str, current: str = "") -> list[dict[str, Any]]:
    """Every item the user may use, in order, each with its label, address, whether it is the
    current one and whether it is in the header (``in_header``; the home page lists them all).
    ``current`` names the current item when a page's address does not say which it is."""
    navigation = _navigation
    if navigation is None or user is None or not navigation.is_active(user):
        return []
    items = [i for i in navigation.items if i.action is None or navigation.may_use(user, i.action)]
    urls = {i.url_name: reverse(i.url_name) for i in items}
    held = {i.url_name: i.within for i in items if i.within in urls}
    current = current or _current(items, urls, current_path)
    current = held.get(current, current)
    return [
        {
            "label": i.label,
            "url": urls[i.url_name],
            "active": i.url_name == current,
            "in_header": i.url_name not in held,
            "within": held.get(i.url_name, ""),
        }
        for i in items
    ]


def held_by(user: User, holder: str) -> list[dict[str, Any]]:
    """The items ``holder`` holds for this user, for its page to link to."""
    return [item for item in navigation_for(user, "") if item["within"] == holder]


def current_item(request: HttpRequest, url_name: str) -> dict[str, Any]:
    """Context for a page whose navigation item depends on who is looking (a referral's page is
    the front door's work for front-door staff and the referrer's own for the referrer)."""
    return {"service_navigation": navigation_for(request.user, request.path, current=url_name)}
