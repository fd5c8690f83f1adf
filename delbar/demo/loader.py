"""Demo data: the cases in cases.jsonl, networks and suppliers, a user for each role, and a few
cases in every workflow state so each page has something to show. Running it again changes nothing.

The cases are written for Delbar from the seed report's examples and public reporting; the people,
e-mail addresses and several figures are illustrative, and the demo says so on every run.
"""

from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from delbar.accounts.models import Membership, Role
from delbar.cases import actions
from delbar.cases.interchange import import_cases
from delbar.cases.models import Case, ContactPerson, Status
from delbar.orgs.models import Organization, Sector

DEMO_DIR = Path(__file__).resolve().parent
DEMO_PASSWORD = "delbar-demo"

NETWORKS = [
    ("971032146", "KS – Kommunesektorens organisasjon"),
    ("986252932", "DFØ – Direktoratet for forvaltning og økonomistyring"),
    (None, "Leverandørutviklingsprogrammet (LUP)"),
]


@dataclass
class DemoUser:
    username: str
    name: str
    organization: str
    role: str
    duty: str


def _org(name: str) -> Organization:
    return Organization.objects.get(name=name)


def load_demo() -> list[DemoUser]:
    for org_number, name in NETWORKS:
        Organization.objects.get_or_create(name=name, kind=Organization.Kind.NETWORK,
                                           defaults={"org_number": org_number})
    with open(DEMO_DIR / "cases.jsonl", encoding="utf-8") as stream:
        import_cases(stream)

    users = [
        DemoUser("ingrid", "Ingrid Lyngdal (demo)", "Lyngdal", Role.EDITOR, "editor, Lyngdal kommune"),
        DemoUser("per", "Per Bergen (demo)", "Bergen", Role.EDITOR, "editor, Bergen kommune"),
        DemoUser("kari", "Kari Kurator (demo)", "KS – Kommunesektorens organisasjon", Role.CURATOR, "curator, KS"),
        DemoUser("sven", "Sven Leverandør (demo)", "Nordlys Velferdsteknologi AS", Role.SUPPLIER,
                 "supplier, Nordlys Velferdsteknologi AS"),
        DemoUser("admin", "Administrator (demo)", "KS – Kommunesektorens organisasjon", Role.ADMIN, "administrator"),
    ]
    for demo in users:
        first, _, last = demo.name.partition(" ")
        user, created = User.objects.get_or_create(username=demo.username, defaults={
            "first_name": first, "last_name": last, "email": f"{demo.username}@example.no"})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_staff = demo.role in (Role.ADMIN, Role.CURATOR)
            user.is_superuser = demo.role == Role.ADMIN
            user.save()
        Membership.objects.get_or_create(user=user, organization=_org(demo.organization),
                                         defaults={"role": demo.role})
    _workflow_examples()
    return users


def _workflow_examples() -> None:
    """A contact, a document, a submitted case and a draft, made through the same actions as users."""
    per = User.objects.get(username="per")
    ingrid = User.objects.get(username="ingrid")
    robot = Case.objects.get(external_id="demo-003")
    if not robot.documents.exists():
        pdf = (DEMO_DIR / "kravspesifikasjon-eksempel.pdf").read_bytes()
        actions.attach_document(case=robot, actor=per, content_type="application/pdf", kind="requirements",
                                title="Kravspesifikasjon for inspeksjonsrobot (eksempel)",
                                upload=SimpleUploadedFile("kravspesifikasjon.pdf", pdf))
    if not robot.contacts.exists():
        ContactPerson.objects.create(case=robot, name="Per Eksempel", role="Prosjektleder, vannforsyning",
                                     email="per.eksempel@example.no", consent_given_at=timezone.now())
    if not Case.objects.filter(external_id="demo-workflow-submitted").exists():
        submitted = actions.create_case(
            actor=ingrid, lead_buyer=_org("Lyngdal"), external_id="demo-workflow-submitted",
            fields={"title": "Digital matbestilling for hjemmeboende eldre",
                    "summary": "Lyngdal prøver en nettbrettløsning der hjemmeboende eldre bestiller middag selv. "
                               "Piloten har pågått i seks måneder med 25 brukere.",
                    "need": "Bestilling av middag skjedde på telefon og papir, og mange fikk feil mat.",
                    "sector": Sector.objects.get(pk="helse-omsorg"), "outcome": "ongoing", "year": 2025,
                    "procedure": "simplified-below-threshold", "category": "iia"})
        actions.submit_case(case=submitted, actor=ingrid)
    if not Case.objects.filter(external_id="demo-workflow-draft").exists():
        actions.create_case(
            actor=per, lead_buyer=_org("Bergen"), external_id="demo-workflow-draft",
            fields={"title": "Sensorer for fuktmåling i kommunale bygg (utkast)",
                    "summary": "Utkast: Bergen kommune vurderer trådløse fuktsensorer i tak og kjellere.",
                    "sector": Sector.objects.get(pk="bygg-eiendom")})
    if Case.objects.filter(status=Status.PUBLISHED).count() < 40:
        raise RuntimeError("The demo should publish at least 40 cases.")
