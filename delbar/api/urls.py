"""The API: django-ninja, mounted at /api/ by delbar/urls.py. Routers hold the operations; this module
puts them together with what every operation shares: authentication (auth.py), throttling
(throttling.py), JSON errors (errors.py), the `id` path converter and the answers in the document."""

from django.urls import URLPattern, re_path, register_converter
from ninja import NinjaAPI

from delbar.api import errors
from delbar.api.auth import TokenIfAny
from delbar.api.cases import router as cases_router
from delbar.api.challenges import router as challenges_router
from delbar.api.dialogues import router as dialogues_router
from delbar.api.diffusion import adoptions, case_router, observatory
from delbar.api.needs import demand_router, solutions
from delbar.api.needs import router as needs_router
from delbar.api.networks import router as networks_router
from delbar.api.notices import router as notices_router
from delbar.api.questions import router as questions_router
from delbar.api.reference import organizations, reference
from delbar.api.schemas import MAX_INT
from delbar.api.search import router as search_router
from delbar.api.throttling import AnonymousRateThrottle, TokenRateThrottle


class IdConverter:
    """An id in a path (`{id:case_id}`): digits, 1 to 2⁶³−1. Any other number names nothing, so the path
    does not match and the API answers 404, never asking the database about a number it cannot hold."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_INT:
            raise ValueError(value)
        return number

    def to_url(self, value) -> str:
        return str(value)


# The routers' paths become Django URL patterns only when delbar/urls.py reads `api.urls`, after this.
register_converter(IdConverter, "id")

ERROR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
# Answers any operation may give, whatever it does; added to the document in one place.
COMMON_RESPONSES = {
    401: {"description": "The token sent is unknown or expired, or the operation needs one", **ERROR},
    429: {"description": "Too many requests", **ERROR, "headers": {"Retry-After": {
        "description": "Seconds to wait", "required": True, "schema": {"type": "integer", "minimum": 1}}}},
}


class DelbarAPI(NinjaAPI):
    """ninja's API, with JSON for every answer under /api/ (errors.py) and the answers every operation
    may give written into the OpenAPI document."""

    @property
    def urls(self):
        patterns, app_name, namespace = super().urls
        patterns = [URLPattern(p.pattern, errors.json_errors(self, p.callback), p.default_args, p.name)
                    for p in patterns]
        # [\s\S], not ".": a path with a newline in it is unknown too, and answered in JSON like the rest.
        patterns.append(re_path(r"^[\s\S]*$", errors.unknown_path_view(self), name="unknown"))
        return patterns, app_name, namespace

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema["components"].get("securitySchemes", {}).pop(TokenIfAny.__name__, None)
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                responses = operation["responses"]
                for status, response in COMMON_RESPONSES.items():
                    responses.setdefault(status, response)
                if method in ("post", "put", "patch", "delete"):
                    responses.setdefault(403, {"description": "Not allowed, or a read-only token", **ERROR})
                if operation.get("parameters") or operation.get("requestBody"):
                    responses.setdefault(422, {"description": "A value breaks a rule", **ERROR})
                if operation.get("requestBody"):
                    responses.setdefault(400, {"description": "The body is not JSON", **ERROR})
                if any(parameter["in"] == "path" for parameter in operation.get("parameters", [])):
                    responses.setdefault(404, {"description": "No such object", **ERROR})
                if operation.get("security") == [{TokenIfAny.__name__: []}]:
                    operation["security"] = [{}, {"TokenAuth": []}]  # a token is optional
        return schema


api = DelbarAPI(
    title="Delbar API",
    version="1.0",
    description=(
        "Open data on innovative public procurement in Norway. Reading needs no token; writing needs "
        "a personal token (Authorization: Bearer dlb_…) made on your profile page, and follows the "
        "same rules as the web pages. Errors are JSON with a `detail` saying why. See docs/api.md."
    ),
    urls_namespace="api",
    # Every operation reads the token if one is sent; those that need one say auth=TokenAuth().
    auth=TokenIfAny(),
    throttle=[AnonymousRateThrottle(), TokenRateThrottle()],
)
errors.install(api)
api.add_router("/cases", cases_router)
api.add_router("/cases", questions_router)
api.add_router("/needs", needs_router)
api.add_router("/demand", demand_router)
api.add_router("/solutions", solutions)
api.add_router("/notices", notices_router)
api.add_router("/cases", case_router)
api.add_router("/adoptions", adoptions)
api.add_router("/observatory", observatory)
api.add_router("/organizations", organizations)
api.add_router("/reference", reference)
api.add_router("/search", search_router)
api.add_router("/networks", networks_router)
api.add_router("/dialogues", dialogues_router)
api.add_router("/challenges", challenges_router)
