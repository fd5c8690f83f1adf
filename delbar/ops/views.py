"""The operations page in the admin: the task queue, the search index and this process, for Delbar's
administrators (curators run content, not machines)."""

import os
import platform

import psutil
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.tasks import TaskResultStatus
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from delbar.accounts.roles import roles_of
from delbar.ops.state import queue_problem, queue_state, search_problem, search_state

RECENT_FAILURES = 20


def process_memory() -> dict:
    """This process's memory in MB: resident, unique (what stopping it would free) and proportional
    (its fair share of pages shared with other processes, such as a memory-mapped vector index)."""
    info = psutil.Process(os.getpid()).memory_full_info()
    return {"rss": info.rss / 2**20, "uss": info.uss / 2**20, "pss": getattr(info, "pss", info.uss) / 2**20}


def cache_reachable() -> bool:
    """Whether the shared cache answers: a key written can be read back (django-redis swallows the errors)."""
    key = f"ops-probe-{os.getpid()}"
    cache.set(key, "1", 10)
    return cache.get(key) == "1"


def operations(request, admin_site):
    if not roles_of(request.user).is_admin:
        raise PermissionDenied
    queue, search = queue_state(), search_state()
    failures = (DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).order_by("-finished_at")
                .values("id", "task_path", "finished_at", "exception_class_path")[:RECENT_FAILURES])
    context = {
        **admin_site.each_context(request),
        "title": _("Operations"),
        "queue": queue, "queue_problem": queue_problem(queue),
        "search": search, "search_problem": search_problem(search),
        "failures": list(failures),
        "process": {"pid": os.getpid(), "host": platform.node(), **process_memory()},
        "database": {"vendor": connection.vendor, "name": str(connection.settings_dict["NAME"]),
                     "replica": "replica" in settings.DATABASES},
        "cache": {"shared": bool(settings.CACHE_URL), "reachable": cache_reachable()},
    }
    return TemplateResponse(request, "admin/operations.html", context)
