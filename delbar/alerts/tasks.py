from django.tasks import task


@task
def run_alerts() -> dict:
    """New matching content becomes notifications; due digests go out."""
    from delbar.alerts.digest import send_digests
    from delbar.alerts.news import collect

    return {"notifications": collect(), "emails": send_digests()}
