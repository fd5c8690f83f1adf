from ninja import NinjaAPI

from delbar.api.cases import router as cases_router
from delbar.api.diffusion import adoptions, case_router, observatory
from delbar.api.needs import demand_router, solutions
from delbar.api.needs import router as needs_router
from delbar.api.notices import router as notices_router
from delbar.api.questions import router as questions_router
from delbar.api.reference import organizations, reference
from delbar.api.search import router as search_router

api = NinjaAPI(
    title="Delbar API",
    version="1.0",
    description=(
        "Open data on innovative public procurement in Norway. Reading needs no token; writing needs "
        "a personal token (Authorization: Bearer dlb_…) made on your profile page, and follows the "
        "same rules as the web pages. See docs/api.md."
    ),
    urls_namespace="api",
)
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
