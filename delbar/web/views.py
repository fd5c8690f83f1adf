from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render

from delbar.accounts.roles import roles_of
from delbar.cases.models import Case, Status
from delbar.diffusion.models import Adoption
from delbar.groups.models import BuyerGroup
from delbar.needs.models import Need, NeedStatus
from delbar.networks.access import networks_of
from delbar.notices.models import Notice, Review
from delbar.orgs.models import County, Organization, Sector
from delbar.suppliers.models import Solution


def home(request):
    published = Case.objects.published()
    sectors = Sector.objects.annotate(
        case_count=Count("cases", filter=Q(cases__status=Status.PUBLISHED), distinct=True))
    context = {
        "latest": published.for_listing()[:6],
        "sectors": sectors,
        "case_count": published.count(),
        "buyer_count": published.values("lead_buyer").distinct().count(),
        "failed_count": published.filter(outcome="failed").count(),
    }
    return render(request, "web/home.html", context)


def about(request):
    context = {
        "municipality_count": Organization.objects.municipalities().count(),
        "county_count": County.objects.count(),
        "operator": {"name": settings.DELBAR_OPERATOR_NAME, "email": settings.DELBAR_OPERATOR_EMAIL},
    }
    return render(request, "web/about.html", context)



UNTOLD_SHOWN = 10


@login_required
def my_organization(request):
    roles = roles_of(request.user)
    orgs = Organization.objects.filter(pk__in=roles_of(request.user).member_org_ids)
    cases = Case.objects.owned_by(roles.editor_org_ids).for_listing()
    context = {
        "memberships": request.user.memberships.select_related("organization"),
        "orgs": orgs,
        "drafts": [case for case in cases if case.status == Status.DRAFT],
        "submitted": [case for case in cases if case.status == Status.SUBMITTED],
        "published": [case for case in cases if case.status == Status.PUBLISHED],
        "archived": [case for case in cases if case.status == Status.ARCHIVED],
        # The organization's own notices that signal innovation and no case tells about yet.
        "untold": Notice.objects.discovered().filter(organization_id__in=roles.editor_org_ids, cases=None).exclude(
            review=Review.DISMISSED).order_by("-signal_score", "-publication_date")[:UNTOLD_SHOWN],
        "adoption_proposals": Adoption.objects.proposed().filter(
            organization_id__in=roles.editor_org_ids).select_related(
            "case", "organization", "evidence_notice").order_by("-score")[:UNTOLD_SHOWN],
        # The buyer groups the person's organizations lead or take part in, and their open needs.
        "groups": BuyerGroup.objects.filter(Q(lead_id__in=roles.buyer_org_ids) | Q(
            members__organization_id__in=roles.buyer_org_ids)).distinct().select_related("lead", "need"),
        "open_needs": Need.objects.filter(organization_id__in=roles.editor_org_ids, status=NeedStatus.OPEN)
        .select_related("organization").order_by("-created_at")[:UNTOLD_SHOWN],
        "solutions": Solution.objects.filter(organization_id__in=roles.supplier_org_ids).order_by("title"),
        # The networks the person takes part in; "My networks" shows their news, events and cases.
        "networks": networks_of(request.user),
    }
    if roles.is_curator:
        # A curator's work, counted: what waits for her first.
        context["work"] = {
            "submitted": Case.objects.filter(status=Status.SUBMITTED).count(),
            "discovered": Notice.objects.discovered().filter(review=Review.PENDING).count(),
        }
    return render(request, "web/my_organization.html", context)


def rate_limited(request, exception=None):
    """django-ratelimit's answer when an account asks, proposes or posts too often."""
    return render(request, "429.html", status=429)
