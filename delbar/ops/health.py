"""/healthz for load balancers and monitoring, on django-health-check's checks.

It answers 503 only when this process cannot serve (the database, or its read replica when one is
configured, is unreachable); a Redis outage, a
queue no worker takes from or a backlog of vectors is a warning in the body ("degraded", 200), since
pages are still served and taking the process out of rotation would not help."""

import asyncio
import dataclasses
from collections.abc import Callable

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import JsonResponse
from django.utils import translation
from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.exceptions import ServiceWarning
from health_check.views import HealthCheckView

from delbar.ops.state import queue_problem, queue_state, search_problem, search_state


@dataclasses.dataclass
class SharedCache(HealthCheck):
    """The shared cache; down means cache misses and refused log-ins, not an outage."""

    async def run(self):
        result = await Cache().get_result()
        if result.error:
            raise ServiceWarning(f"cache unreachable, pages are served without it ({result.error.message})")


# The checks that read the database run in the request's own thread, on its own connection
# (thread_sensitive), rather than in a pool thread that would open connections nothing closes.


@dataclasses.dataclass
class PrimaryDatabase(Database):
    async def run(self):
        await sync_to_async(super().run, thread_sensitive=True)()


@dataclasses.dataclass
class StateCheck(HealthCheck):
    """A state from ops/state.py, read on the request's connection, and a warning when it has a problem."""

    name: str = ""
    state: Callable[[], dict] = dataclasses.field(default=dict, repr=False)
    problem: Callable[[dict], str] = dataclasses.field(default=lambda state: "", repr=False)
    details: dict = dataclasses.field(default_factory=dict, repr=False)

    async def run(self):
        self.details = await sync_to_async(self.state, thread_sensitive=True)()
        # Monitors and log searches read one language, whatever a browser asking would prefer.
        with translation.override("en"):
            problem = self.problem(self.details)
        if problem:
            raise ServiceWarning(problem)


@dataclasses.dataclass
class ReplicaDatabase(PrimaryDatabase):
    """The read replica (DATABASE_REPLICA_URL): requests that write nothing read it, so without it most
    pages fail as surely as without the primary."""

    alias: str = "replica"


NAMES = {PrimaryDatabase: "database", ReplicaDatabase: "replica", SharedCache: "cache"}


class HealthView(HealthCheckView):
    checks = (PrimaryDatabase, SharedCache,
              (StateCheck, {"name": "queue", "state": queue_state, "problem": queue_problem}),
              (StateCheck, {"name": "search", "state": search_state, "problem": search_problem}))

    def get_checks(self):
        yield from super().get_checks()
        if "replica" in settings.DATABASES:
            yield ReplicaDatabase()

    async def get(self, request, *args, **kwargs):
        # Always JSON, whatever the Accept header: load balancers and monitors read the status.
        with self.get_executor() as executor:
            self.results = await asyncio.gather(*(check.get_result(executor) for check in self.get_checks()))
        return self.render_to_response_json(None)

    def render_to_response_json(self, status):
        unavailable = any(result.error and not isinstance(result.error, ServiceWarning) for result in self.results)
        degraded = any(result.error for result in self.results)
        checks = {}
        for result in self.results:
            entry = {"ok": result.error is None, "seconds": round(result.time_taken, 4)}
            if result.error:
                entry["message"] = result.error.message
            if getattr(result.check, "details", None):
                entry["details"] = result.check.details
            checks[getattr(result.check, "name", "") or NAMES[type(result.check)]] = entry
        body = {"status": "unavailable" if unavailable else "degraded" if degraded else "ok", "checks": checks}
        return JsonResponse(body, status=503 if unavailable else 200)

