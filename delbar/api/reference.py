"""/api/organizations and /api/reference: organizations, counties, sectors, CPV and NUTS codes."""

from typing import Annotated

from django.db.models import Q
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from delbar.api.schemas import (
    CountyNumber,
    CountyOut,
    CpvOut,
    Error,
    Id,
    NutsOut,
    OrganizationOut,
    PageNumber,
    SectorOut,
    Slug,
    Text,
)
from delbar.orgs.models import County, CpvCode, NutsRegion, Organization, Sector

organizations = Router(tags=["organizations"])
reference = Router(tags=["reference data"])
Name = Annotated[Text, Field(max_length=200, description="Part of a name, or a number")]


class Pages(PageNumberPagination):
    """ninja's page numbers, bounded like every page number in the API, and no query for a page past
    the last row (its offset could exceed what the database holds)."""

    class Input(Schema):
        page: PageNumber = 1
        page_size: PageNumber | None = None  # ninja gives at most PAGINATION_MAX_PER_PAGE_SIZE (100)

    def paginate_queryset(self, queryset, pagination, request, **params):
        page_size = self._get_page_size(pagination.page_size)
        offset = (pagination.page - 1) * page_size
        count = self._items_count(queryset)
        return {self.items_attribute: queryset[offset:offset + page_size] if offset < count else [], "count": count}


@organizations.get("", response=list[OrganizationOut], summary="List organizations")
@paginate(Pages, page_size=50)
def list_organizations(request, kind: Slug | None = None, county: CountyNumber | None = None, q: Name | None = None):
    """All 357 municipalities, 15 counties and the other organizations; filter by kind, county, name."""
    queryset = Organization.objects.order_by("name")
    if kind:
        queryset = queryset.filter(kind=kind)
    if county:
        queryset = queryset.filter(county_id=county)
    if q:
        queryset = queryset.filter(Q(name__icontains=q) | Q(municipality_number=q) | Q(org_number=q))
    return queryset


@organizations.get("/{id:organization_id}", response={200: OrganizationOut, 404: Error},
                   summary="Read one organization")
def read_organization(request, organization_id: Id):
    return get_object_or_404(Organization, pk=organization_id)


@reference.get("/counties", response=list[CountyOut], summary="The 15 counties")
def counties(request):
    return County.objects.all()


@reference.get("/sectors", response=list[SectorOut], summary="The sectors cases are filed under")
def sectors(request):
    return Sector.objects.all()


@reference.get("/cpv", response=list[CpvOut], summary="CPV 2008 codes with bokmål and English labels")
@paginate(Pages, page_size=100)
def cpv_codes(request, q: Name | None = None):
    queryset = CpvCode.objects.all()
    if q:
        queryset = queryset.filter(Q(code__startswith=q) | Q(name_nb__icontains=q) | Q(name_en__icontains=q))
    return queryset


@reference.get("/nuts", response=list[NutsOut], summary="NUTS regions in Norway")
def nuts(request):
    return NutsRegion.objects.all()
