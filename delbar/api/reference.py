"""/api/organizations and /api/reference: organizations, counties, sectors, CPV and NUTS codes."""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.pagination import PageNumberPagination, paginate

from delbar.api.schemas import CountyOut, CpvOut, Error, NutsOut, OrganizationOut, SectorOut
from delbar.orgs.models import County, CpvCode, NutsRegion, Organization, Sector

organizations = Router(tags=["organizations"])
reference = Router(tags=["reference data"])


@organizations.get("", response=list[OrganizationOut], summary="List organizations")
@paginate(PageNumberPagination, page_size=50)
def list_organizations(request, kind: str | None = None, county: str | None = None, q: str | None = None):
    """All 357 municipalities, 15 counties and the other organizations; filter by kind, county, name."""
    queryset = Organization.objects.order_by("name")
    if kind:
        queryset = queryset.filter(kind=kind)
    if county:
        queryset = queryset.filter(county_id=county)
    if q:
        queryset = queryset.filter(Q(name__icontains=q) | Q(municipality_number=q) | Q(org_number=q))
    return queryset


@organizations.get("/{int:organization_id}", response={200: OrganizationOut, 404: Error},
                   summary="Read one organization")
def read_organization(request, organization_id: int):
    return get_object_or_404(Organization, pk=organization_id)


@reference.get("/counties", response=list[CountyOut], summary="The 15 counties")
def counties(request):
    return County.objects.all()


@reference.get("/sectors", response=list[SectorOut], summary="The sectors cases are filed under")
def sectors(request):
    return Sector.objects.all()


@reference.get("/cpv", response=list[CpvOut], summary="CPV 2008 codes with bokmål and English labels")
@paginate(PageNumberPagination, page_size=100)
def cpv_codes(request, q: str | None = None):
    queryset = CpvCode.objects.all()
    if q:
        queryset = queryset.filter(Q(code__startswith=q) | Q(name_nb__icontains=q) | Q(name_en__icontains=q))
    return queryset


@reference.get("/nuts", response=list[NutsOut], summary="NUTS regions in Norway")
def nuts(request):
    return NutsRegion.objects.all()
