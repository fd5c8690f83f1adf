"""Demo data: the cases in cases.jsonl, networks and suppliers, a user for each role, and a few
cases in every workflow state so each page has something to show; the networks' pages and dialogues
(networks.py, dialogues.py); a finished and an open innovation competition (challenges.py). Running it
again changes nothing.

The cases are written for Delbar from the seed report's examples and public reporting; the people,
e-mail addresses and several figures are illustrative, and the demo says so on every run.
"""

import json
from dataclasses import dataclass
from pathlib import Path

# allauth's own helpers for creating an authenticator; the pages use the same ones.
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from delbar.accounts.middleware import needs_second_factor
from delbar.accounts.models import ExternalIdentity, Membership, Role
from delbar.cases import actions
from delbar.cases.interchange import import_cases, read_lines
from delbar.cases.models import Case, ContactPerson, Status
from delbar.demo.challenges import load_challenges
from delbar.demo.dialogues import load_dialogues
from delbar.demo.networks import NETWORK_ORGANIZATIONS, load_networks
from delbar.diffusion.demo import load_adoptions
from delbar.groups.actions import form_group, post_message
from delbar.groups.models import BuyerGroup
from delbar.needs.actions import join
from delbar.needs.interchange import import_needs
from delbar.needs.models import Need, NeedInterest
from delbar.notices.importing import import_path
from delbar.orgs.models import CpvCode, Organization, Sector
from delbar.questions.actions import answer, ask
from delbar.questions.models import Question
from delbar.search import KINDS, embed_pending, index
from delbar.suppliers.actions import propose, save_solution
from delbar.suppliers.models import Solution

DEMO_DIR = Path(__file__).resolve().parent
DEMO_PASSWORD = "delbar-demo"

NETWORKS = [
    ("971032146", "KS – Kommunesektorens organisasjon"),
    ("986252932", "DFØ – Direktoratet for forvaltning og økonomistyring"),
    ("920058817", "Leverandørutviklingsprogrammet (LUP)"),
    *NETWORK_ORGANIZATIONS,
]


@dataclass
class DemoUser:
    username: str
    name: str
    organization: str
    role: str
    duty: str
    recovery_code: str = ""


def _second_factor(user) -> str:
    """Editors, curators and administrators need a second factor to log in with a password. The demo
    gives them an authenticator and prints one of its recovery codes, so the cast stays one step to try."""
    if not needs_second_factor(user):
        return ""
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())
    codes = Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).first()
    unused = RecoveryCodes(codes).get_unused_codes() if codes else []
    if not unused:
        Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).delete()
        unused = RecoveryCodes.activate(user).get_unused_codes()
    return unused[0]


def _org(name: str) -> Organization:
    return Organization.objects.get(name=name)


def load_demo() -> list[DemoUser]:
    for org_number, name in NETWORKS:
        Organization.objects.get_or_create(name=name, kind=Organization.Kind.NETWORK,
                                           defaults={"org_number": org_number})
        if org_number:  # a demo loaded before the number was known gets it
            Organization.objects.filter(name=name, kind=Organization.Kind.NETWORK,
                                        org_number__isnull=True).update(org_number=org_number)
    with open(DEMO_DIR / "cases.jsonl", encoding="utf-8") as stream:
        import_cases(stream)

    users = [
        DemoUser("ingrid", "Ingrid Lyngdal (demo)", "Lyngdal", Role.ORG_ADMIN,
                 "administrator and editor, Lyngdal kommune (approves who acts for Lyngdal)"),
        DemoUser("per", "Per Bergen (demo)", "Bergen", Role.EDITOR, "editor, Bergen kommune"),
        DemoUser("kari", "Kari Kurator (demo)", "KS – Kommunesektorens organisasjon", Role.CURATOR, "curator, KS"),
        DemoUser("sven", "Sven Leverandør (demo)", "Nordlys Velferdsteknologi AS", Role.SUPPLIER,
                 "supplier, Nordlys Velferdsteknologi AS"),
        # A network's own curator: she acts for the network's organization, and is no Delbar-wide curator.
        DemoUser("agnes", "Agnes Agder (demo)", "Innkjøpsnettverket i Agder", Role.EDITOR,
                 "curator of Innkjøpsnettverket i Agder (the network's own, not Delbar's)"),
        DemoUser("admin", "Administrator (demo)", "KS – Kommunesektorens organisasjon", Role.ADMIN, "administrator"),
    ]
    for demo in users:
        first, _, last = demo.name.partition(" ")
        user, created = User.objects.get_or_create(username=demo.username, defaults={
            "first_name": first, "last_name": last, "email": f"{demo.username}@example.no"})
        if created:
            # The demo's addresses are illustrative; they count as verified so the cast can log in.
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
            user.set_password(DEMO_PASSWORD)
            user.is_staff = demo.role in (Role.ADMIN, Role.CURATOR)
            user.is_superuser = demo.role == Role.ADMIN
            user.save()
        Membership.objects.get_or_create(user=user, organization=_org(demo.organization),
                                         defaults={"role": demo.role})
        demo.recovery_code = _second_factor(user)
    _org_numbers()
    _identities(users)
    _workflow_examples()
    _notices()
    _needs_and_answers()
    _networks_and_dialogues()
    load_challenges()
    load_adoptions()
    return users


def _networks_and_dialogues() -> None:
    made = load_networks() + load_dialogues()
    # Written with the models: whichever of these kinds search holds is indexed here, as their actions would.
    searchable = tuple(kind.model for kind in KINDS.values())
    for obj in made:
        if isinstance(obj, searchable):
            index(obj)


# Organization numbers from Enhetsregisteret for the buyers the demo's people act for; the reference data
# (orgs/data) has municipality numbers only. An Ansattporten log-in names its organization by this number.
DEMO_ORG_NUMBERS = {"Lyngdal": "922421498", "Bergen": "964338531"}
LOCAL_PROVIDER_PERSONS = settings.REPO_DIR / "devtools" / "oidc-provider" / "persons.json"


def _org_numbers() -> None:
    for name, number in DEMO_ORG_NUMBERS.items():
        Organization.objects.filter(name=name, org_number__isnull=True).update(org_number=number)


def _identities(users: list[DemoUser]) -> None:
    """When the local OpenID provider plays ID-porten and Ansattporten (`./dev demo`), its test persons
    with the cast's names are the cast: logging in there as ingrid is logging in as the demo's ingrid."""
    if not settings.OIDC_PROVIDERS or not LOCAL_PROVIDER_PERSONS.exists():
        return
    persons = json.loads(LOCAL_PROVIDER_PERSONS.read_text(encoding="utf-8"))["persons"]
    for demo in users:
        person = persons.get(demo.username)
        if person is None:
            continue
        user = User.objects.get(username=demo.username)
        for provider in settings.OIDC_PROVIDERS.values():
            ExternalIdentity.objects.get_or_create(issuer=provider["issuer"], subject=person["sub"],
                                                   defaults={"user": user})


def _notices() -> None:
    """Real Doffin and TED notices, imported as any file would be; discovery marks the innovative ones."""
    report = import_path(DEMO_DIR / "notices")
    if report.skipped:
        raise RuntimeError(f"A demo notice did not import: {report.skipped[0]}")
    # An import leaves embedding to the worker; the demo is whole before its first page is shown.
    embed_pending()


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


SOLUTIONS = [
    ("Nordlys Velferdsteknologi AS", "Nattilsyn med sensorer og kamera etter samtykke",
     "Sensorer i rommet varsler nattevakten når en bruker står opp, faller eller ikke kommer tilbake til "
     "sengen. Kamera brukes bare etter avtale og samtykke. Kobles til trygghetsalarmen og vaktsentralen.",
     ["helse-omsorg"], ["35125300", "85312000"], ["demo-008", "demo-036"]),
    ("Nordlys Velferdsteknologi AS", "Medisindispenser med påminnelse og varsling",
     "En låst dispenser gir riktig dose til riktig tid, minner brukeren på og varsler hjemmetjenesten når en "
     "dose ikke blir tatt.", ["helse-omsorg"], ["33196000"], ["demo-009"]),
    ("Vannvakt Sensor AS", "Akustisk lekkasjeovervåking av vannledninger",
     "Lyttesensorer på kummer og ventiler finner lekkasjer på ledningsnettet og viser dem på kart, slik at "
     "kommunen kan reparere før det blir brudd.", ["vann-avlop-avfall"], ["38431000"], ["demo-025"]),
]


def _needs_and_answers() -> None:
    """Demo needs (one buyers-only, one group proposed by matching), suppliers' solutions and a
    proposal, a buyer group with a message, and a question answered on a case."""
    for supplier, title, description, sectors, cpv, cases in SOLUTIONS:
        organization, _ = Organization.objects.get_or_create(name=supplier, kind=Organization.Kind.SUPPLIER)
        if not Solution.objects.filter(organization=organization, title=title).exists():
            save_solution(actor=None, organization=organization, fields={"title": title, "description": description},
                          sectors=Sector.objects.filter(pk__in=sectors), cpv_codes=CpvCode.objects.filter(code__in=cpv),
                          cases=Case.objects.filter(external_id__in=cases))
    with open(DEMO_DIR / "needs.jsonl", encoding="utf-8") as stream:
        import_needs(read_lines(stream))

    ingrid, per = (User.objects.get(username=name) for name in ("ingrid", "per"))
    leaks = Need.objects.get(external_id="demo-need-001")
    night = Need.objects.get(external_id="demo-need-003")
    if not NeedInterest.objects.filter(need=night, organization=_org("Bergen")).exists():
        join(need=night, actor=per, organization=_org("Bergen"),
             note="Vi har erfaring fra piloten vår med fallsensorer og deler gjerne.")
    if not BuyerGroup.objects.filter(need=leaks).exists():
        partner = Need.objects.get(external_id="demo-need-002")
        group = form_group(need=leaks, actor=ingrid, name="Lekkasjesøk i Agder", members=[],
                           partner_needs=[partner])
        post_message(group=group, actor=ingrid, organization=_org("Lyngdal"),
                     body="Kristiansand har god erfaring med akustiske sensorer. Skal vi be om en felles "
                          "markedsdialog før sommeren?")
    supplier = _org("Vannvakt Sensor AS")
    if not leaks.proposals.exists():
        propose(need=leaks, actor=None, organization=supplier,
                body="Vi kan sette opp en pilot med 40 lyttesensorer på det eldste nettet i tre måneder.",
                solution=Solution.objects.get(organization=supplier))
    robot = Case.objects.get(external_id="demo-003")
    if not Question.objects.filter(case=robot).exists():
        question = ask(case=robot, actor=ingrid, organization=_org("Lyngdal"),
                       body="Måtte dere stenge vannforsyningen mens roboten inspiserte tunnelen?")
        answer(question=question, actor=per, body="Nei. Roboten går inn mens tunnelen er i drift, så abonnentene "
               "merket ingenting. Det var hovedgrunnen til at vi valgte denne løsningen.")
