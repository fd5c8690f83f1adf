"""Notice pages: the list (search limited to notices), one notice, its original document, and the
curators' discovery queue."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from delbar.audit import record
from delbar.notices import access, discovery, labels, trail
from delbar.notices.forms import ReviewForm
from delbar.notices.models import Notice, Review, Signal
from delbar.orgs.models import CpvCode
from delbar.search import render_results

QUEUE_PER_PAGE = 30


def notice_list(request):
    return render_results(request, kinds=["notice"], template="notices/notice_list.html")


def notice_detail(request, pk):
    notice = get_object_or_404(Notice.objects.select_related("organization", "county", "superseded_by"), pk=pk)
    cpv_names = {cpv.code: cpv.name for cpv in CpvCode.objects.filter(code__in=notice.cpv_codes)}
    context = {
        "notice": notice,
        "cpv_codes": [(code, cpv_names.get(code, "")) for code in notice.cpv_codes],
        "procedure_label": labels.label("procurement-procedure-type", notice.procedure) if notice.procedure else "",
        "nature_label": labels.label("contract-nature", notice.nature) if notice.nature else "",
        "notice_type_label": labels.label("notice-type", notice.notice_type) if notice.notice_type else "",
        "innovative_labels": [labels.label("innovative-acquisition", code) for code in notice.innovative_acquisition],
        "strategic_labels": [labels.label("strategic-procurement", code) for code in notice.strategic_procurement],
        "reasons": [discovery.explain(reason) for reason in notice.signal_reasons],
        "cases": notice.cases.published().select_related("lead_buyer"),
        "older_versions": notice.supersedes.order_by("-publication_date", "-pk"),
        "trail": trail.timeline(notice),
        "can_start_case": access.can_start_case(request.user, notice),
        "can_review": access.can_review(request.user),
        "review_form": ReviewForm(initial={"review": notice.review}) if access.can_review(request.user) else None,
    }
    return render(request, "notices/notice_detail.html", context)


def notice_document(request, pk):
    """The notice exactly as it was received (the raw XML or JSON), for anyone to check."""
    notice = get_object_or_404(Notice.objects.only("raw", "format", "key"), pk=pk)
    is_json = notice.format == "ocds"
    response = HttpResponse(bytes(notice.raw), content_type="application/json" if is_json else "application/xml")
    safe_name = "".join(char if char.isalnum() or char in "-_." else "_" for char in notice.key)[:80]
    response["Content-Disposition"] = f'attachment; filename="{safe_name}.{"json" if is_json else "xml"}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def discovery_queue(request):
    if not access.can_review(request.user):
        raise PermissionDenied(_("Only curators review discovered notices."))
    state = request.GET.get("review", Review.PENDING)
    if state not in Review.values:
        state = Review.PENDING
    notices = Notice.objects.discovered().filter(review=state).select_related("organization").order_by(
        "-signal_score", "-publication_date", "-pk")
    page = Paginator(notices, QUEUE_PER_PAGE).get_page(request.GET.get("page"))
    for notice in page:
        notice.reasons = [discovery.explain(reason) for reason in notice.signal_reasons]
    return render(request, "notices/discovery_queue.html", {"page": page, "state": state, "states": Review.choices,
                                                            "strong": Signal.STRONG})


@login_required
@require_POST
def notice_review(request, pk):
    if not access.can_review(request.user):
        raise PermissionDenied(_("Only curators review discovered notices."))
    notice = get_object_or_404(Notice, pk=pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose innovative, not innovative or undecided."))
        return redirect(notice)
    if notice.review != form.cleaned_data["review"]:
        notice.review = form.cleaned_data["review"]
        notice.save(update_fields=["review"])
        record(actor=request.user, action="notice.review", obj=notice, review=notice.review)
        messages.success(request, _("Saved: %(review)s.") % {"review": notice.get_review_display()})
    return redirect(request.POST.get("next") if request.POST.get("next", "").startswith("/notices/") else notice)
