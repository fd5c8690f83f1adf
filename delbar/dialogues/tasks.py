"""Background work for dialogues, run by the task worker: the day-before reminders (`delbar
dialogue-reminders` queues it; run that every hour)."""

from django.tasks import task

from delbar.dialogues.actions import send_reminders


@task
def remind() -> int:
    """Reminds the registrants of dialogues that start within a day; returns how many were reminded."""
    return send_reminders()
