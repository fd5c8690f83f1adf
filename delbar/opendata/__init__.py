"""Open data out: Delbar's published cases and imported notices as OCDS 1.1 release packages and CSV."""


def open_data_querysets(kind: str | None = None, include_superseded: bool = False):
    """What the open-data exports hold: published cases and current notices (kind: "cases", "notices", both)."""
    from delbar.cases.models import Case
    from delbar.notices.models import Notice

    cases = Case.objects.published().select_related("lead_buyer").prefetch_related(
        "cpv_codes", "partner_buyers", "suppliers").order_by("pk")
    notices = (Notice.objects.all() if include_superseded else Notice.objects.current()).order_by("pk")
    return (cases if kind in (None, "cases") else Case.objects.none(),
            notices if kind in (None, "notices") else Notice.objects.none())
