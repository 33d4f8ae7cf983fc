"""``GET /api/person-numbers`` (issue 14, part 6; ADR 0043): the person numbers Harbour gave the
records an agency's systems sent, for the agency to write into its own system — the rows of
``harbour identity export``, a page at a time, each page audited. A token reads its own agency's
records only."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Field, Query, Router, Schema

from harbour.frontdoor import intake as referral_intake
from harbour.frontdoor.models import ApiToken
from harbour.frontdoor.problems import plain_problem, problem_response
from harbour.frontdoor.schemas import ProblemOut
from harbour.identity import numbers

router = Router(tags=["person numbers"])


class NumbersQuery(Schema):
    after: int = Field(
        0,
        ge=0,
        le=2**63 - 1,
        description="The cursor: `next_after` from the page before (0 for the first)",
    )
    size: int = Field(
        numbers.PAGE_SIZE, ge=1, le=numbers.MAX_PAGE_SIZE, description="Records in a page"
    )


class NumberOut(Schema):
    source_system: str
    source_id: str
    person_number: str = Field(
        description="Harbour's person number, like P-000123; empty unless linked"
    )
    status: str = Field(
        description="linked, held (waiting for a reviewer), closed (not a "
        "record of a person) or pending (not yet through a linkage run)"
    )


class NumbersPage(Schema):
    results: list[NumberOut]
    next_after: int | None = Field(description="Send as `after` for the next page; null at the end")


@router.get(
    "/person-numbers",
    response={200: NumbersPage, **{code: ProblemOut for code in (400, 401, 405, 422, 503)}},
    url_name="person-numbers",
    summary="Harbour's person numbers for the records your agency sent",
)
def person_numbers(request: HttpRequest, query: Query[NumbersQuery]) -> HttpResponse:
    """Every record your agency's systems and files sent, in the order they arrived, with the
    person number Harbour gave it and where it stands. Page through with `after`."""
    unknown = sorted(set(request.GET) - set(NumbersQuery.model_fields))
    if unknown:
        # A misspelt cursor must not silently start again from the first page.
        detail = "Unknown query parameter: " + ", ".join(name[:40] for name in unknown[:5])
        return problem_response(plain_problem(400, detail))
    token = request.auth  # type: ignore[attr-defined]
    assert isinstance(token, ApiToken)
    agency = token.agency
    found = numbers.page(
        agency, after=query.after, size=query.size, actor=referral_intake.system_actor(agency)
    )
    return JsonResponse(
        {
            "results": [
                dict(zip(numbers.HEADER, row.as_tuple(), strict=True)) for row in found.rows
            ],
            "next_after": found.next_after,
        }
    )
