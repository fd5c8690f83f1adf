"""Open data out: Delbar's published cases, imported notices, the dialogues that plan a procurement and the
published innovation competitions (challenges), as OCDS 1.1 release packages, and cases and notices as CSV."""


def open_data_querysets(kind: str | None = None, include_superseded: bool = False):
    """What the open-data exports hold: published cases and current notices (kind: "cases", "notices", both)."""
    from delbar.cases.models import Case
    from delbar.notices.models import Notice

    cases = Case.objects.published().select_related("lead_buyer").prefetch_related(
        "cpv_codes", "partner_buyers", "suppliers").order_by("pk")
    notices = (Notice.objects.all() if include_superseded else Notice.objects.current()).order_by("pk")
    return (cases if kind in (None, "cases") else Case.objects.none(),
            notices if kind in (None, "notices") else Notice.objects.none())


def open_data_dialogues(kind: str | None = None):
    """The dialogues the OCDS exports hold as planning releases (kind: "dialogues", or None with the rest);
    None where the kind asked for leaves them out. The CSV has none: its rows are procurements."""
    from delbar.opendata.ocds import planning_dialogues

    return planning_dialogues() if kind in (None, "dialogues") else None


def open_data_challenges(kind: str | None = None):
    """The challenges the OCDS exports hold, each a process of planning, tender and award releases (kind:
    "challenges", or None with the rest); None where the kind asked for leaves them out. Not in the CSV: its
    rows are cases and notices."""
    from delbar.opendata.ocds import published_challenges

    return published_challenges() if kind in (None, "challenges") else None
