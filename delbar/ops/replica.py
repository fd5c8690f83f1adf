"""Reads from a read replica (DATABASE_REPLICA_URL), on django-multidb-router's pinning router.

Only the reads of a request that changes nothing go to the replica: search, lists, figures. A request
that writes (any POST, or a GET that writes) reads the primary from its first write on, and the same
browser reads the primary for MULTIDB_PINNING_SECONDS afterwards (a cookie), so people read what they
just wrote. Sessions are always read from the primary (a log-in must hold on the very next page), and
task workers and commands, outside any request, read the primary: they decide from what they read."""

import contextvars

from multidb import DEFAULT_DB_ALIAS, PinningReplicaRouter
from multidb.middleware import PinningRouterMiddleware
from multidb.pinning import pin_this_thread

_serving_request = contextvars.ContextVar("serving_request", default=False)
_wrote = contextvars.ContextVar("wrote", default=False)
PRIMARY_ONLY = {"sessions"}


class ReplicaRouter(PinningReplicaRouter):
    def db_for_read(self, model, **hints):
        if not _serving_request.get() or model._meta.app_label in PRIMARY_ONLY:
            return DEFAULT_DB_ALIAS
        return super().db_for_read(model, **hints)

    def db_for_write(self, model, **hints):
        _wrote.set(True)
        pin_this_thread()  # read-after-write within the request
        return super().db_for_write(model, **hints)


class ReplicaMiddleware(PinningRouterMiddleware):
    """multidb's middleware (pins unsafe methods and a recent writer's browser), marking the request as
    one whose reads may go to the replica."""

    def __call__(self, request):
        serving, wrote = _serving_request.set(True), _wrote.set(False)
        try:
            return super().__call__(request)
        finally:
            _serving_request.reset(serving)
            _wrote.reset(wrote)

    def process_response(self, request, response):
        if _wrote.get():
            response._db_write = True  # a GET that wrote pins the browser too
        return super().process_response(request, response)
