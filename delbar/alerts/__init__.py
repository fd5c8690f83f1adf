"""Notifications in Delbar and the e-mail digest. `notify()` is how any app tells people something."""


def notify(users, *, event: str, title: str, url: str) -> int:
    """Creates one notification per user for `event`, skipping users who already have it; returns how
    many were new. Call inside the transaction that made the event happen."""
    from delbar.alerts.models import Notification

    users = {user.pk: user for user in users if user is not None and user.is_active}
    if not users:
        return 0
    known = set(Notification.objects.filter(user_id__in=users, event=event).values_list("user_id", flat=True))
    new = [Notification(user_id=pk, event=event, title=title[:300], url=url) for pk in users if pk not in known]
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)
