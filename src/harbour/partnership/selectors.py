from __future__ import annotations

from django.db.models import Count, QuerySet

from harbour.partnership.models import Agency, InformationSharingAgreement


def agency_list() -> QuerySet[Agency]:
    return Agency.objects.annotate(staff_count=Count("staff", distinct=True)).order_by(
        "agency_type", "name"
    )


def agreement_list() -> QuerySet[InformationSharingAgreement]:
    return InformationSharingAgreement.objects.prefetch_related("parties").order_by("title")
