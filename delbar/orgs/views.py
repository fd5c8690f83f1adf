import re
from functools import reduce
from operator import and_

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, render

from delbar.cases.models import Case
from delbar.needs.models import Need
from delbar.orgs.models import CpvCode, Organization

NOTICES_SHOWN = 10
CPV_SHOWN = 20


def organization_detail(request, pk):
    organization = get_object_or_404(Organization.objects.select_related("county"), pk=pk)
    led = Case.objects.published().filter(lead_buyer=organization).for_listing()
    partnered = Case.objects.published().filter(partner_buyers=organization).for_listing()
    supplied = Case.objects.published().filter(suppliers=organization).for_listing()
    needs = Need.objects.visible_to(request.user).filter(organization=organization).select_related("organization")
    solutions = organization.solutions.filter(active=True)
    notices = organization.notices.current()
    context = {"organization": organization, "led": led, "partnered": partnered, "supplied": supplied,
               "needs": needs, "solutions": solutions, "notices": notices[:NOTICES_SHOWN],
               "notice_count": notices.count()}
    return render(request, "orgs/organization_detail.html", context)


def organization_list(request):
    organizations = Organization.objects.select_related("county").order_by("name")
    kind = request.GET.get("kind")
    if kind in Organization.Kind.values:
        organizations = organizations.filter(kind=kind)
    query = request.GET.get("q", "").strip()
    if query:
        organizations = organizations.filter(name__icontains=query)
    page = Paginator(organizations, 50).get_page(request.GET.get("page"))
    return render(request, "orgs/organization_list.html",
                  {"page": page, "kinds": Organization.Kind.choices, "kind": kind, "q": query})


def cpv_lookup(request):
    """CPV codes found by words (every word in the Norwegian or English label) or by the start of a
    code, so nobody has to know the number: a page of its own, and a list the case and need forms
    show as the words are typed (htmx)."""
    query = request.GET.get("q", "").strip()[:100]
    codes = []
    if query:
        words = re.findall(r"\w+", query)
        digits = "".join(word for word in words if word.isdigit())
        if digits and len(digits) == len(re.sub(r"\W", "", query)):
            codes = CpvCode.objects.filter(code__startswith=digits[:8])
        elif words:
            codes = CpvCode.objects.filter(reduce(and_, (Q(name_nb__icontains=word) | Q(name_en__icontains=word)
                                                         for word in words)))
        codes = list(codes.order_by("code")[:CPV_SHOWN])
    template = "orgs/_cpv_results.html" if request.htmx else "orgs/cpv_lookup.html"
    # Beside a form's CPV field (htmx, so JavaScript runs) each code gets a button adding it to that field.
    field = request.GET.get("field", "")
    field = field if request.htmx and re.fullmatch(r"id_\w{1,40}", field) else ""
    return render(request, template, {"query": query, "codes": codes, "shown": CPV_SHOWN, "field": field})
