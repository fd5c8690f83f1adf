"""Follow-up work on matches, queued by the actions that cause it (`transaction.on_commit`), run by the
task worker outside the request:
- a need posted on its page is matched in the background (`match_later`): the page shows at once and
  its matches arrive as they are computed;
- when cases, needs, solutions or notices change, the open needs near them are recomputed
  (`refresh_later`)."""

from django.db import transaction
from django.tasks import task

from delbar.groups.proposals import propose_for
from delbar.needs import matching
from delbar.needs.models import Need


def rematch(need: Need) -> None:
    """Recomputes what matches `need` and tells the owners of needs it could be bought together with."""
    matching.compute(need)
    propose_for(need)


@task
def match_need(need_id: int) -> bool:
    """Matches a need posted with its matches left for later; False if it is gone."""
    need = Need.objects.select_related("organization").filter(pk=need_id).first()
    if need is None:
        return False
    rematch(need)
    return True


def match_later(need: Need) -> None:
    """Queues the need's matching for when the current transaction commits."""
    need_id = need.pk
    transaction.on_commit(lambda: match_need.enqueue(need_id))


@task
def refresh_matches(kind: str, object_ids: list[int]) -> int:
    """Recomputes the needs these objects may now match; returns how many."""
    needs = matching.refresh_near(kind, object_ids)
    for need in needs:
        propose_for(need)
    return len(needs)


def refresh_later(kind: str, object_ids) -> None:
    """Queues the refresh of the needs near these objects for when the current transaction commits
    (nothing, if it rolls back)."""
    ids = sorted(set(object_ids))
    if ids and kind in matching.KINDS:
        transaction.on_commit(lambda: refresh_matches.enqueue(kind, ids))
