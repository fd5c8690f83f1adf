"""Demo networks and dialogues: LUP and KS (national), Innkjøpsnettverket i Agder (regional, with its
own curator, agnes, and a members' area) and Velferdsteknologiprogrammet (a sector programme that takes
suppliers), each with cases in its collection, news and a discussion; a past dialogue conference in Agder
with registrations, written input, answered questions, a summary and a matchmaking table, and an upcoming
market dialogue on Lyngdal's need. Running it again changes nothing.

The rows are written with the models, each keyed by what makes it unique, so a second run finds them.
The people, suppliers and their organisation numbers are illustrative: the suppliers' numbers pass the
mod-11 check but begin with 3, and Enhetsregisteret's begin with 8 or 9, so none is a real company's.
"""

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from delbar.cases.models import Case, CaseNetwork
from delbar.networks.actions import update_network
from delbar.networks.models import Network, NetworkDocument, NetworkMember, NewsItem, Post
from delbar.orgs.models import Organization

EXAMPLE_PDF = Path(__file__).resolve().parent / "kravspesifikasjon-eksempel.pdf"
LUP = "Leverandørutviklingsprogrammet (LUP)"
KS = "KS – Kommunesektorens organisasjon"
AGDER = "Innkjøpsnettverket i Agder"
WELFARE = "Velferdsteknologiprogrammet"
# Organizations of kind "network" the demo adds to the loader's (organisation number where known, name).
NETWORK_ORGANIZATIONS = [(None, AGDER), (None, WELFARE)]


@dataclass
class DemoNetwork:
    name: str
    slug: str
    kind: str
    description: str
    website: str
    origins: list[str]
    # Members by municipality number, or by name for other organizations; pending ones wait for approval.
    members: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    accepts_suppliers: bool = False
    cases: list[str] = field(default_factory=list)        # external ids, added by the curator
    curator: str = "kari"
    # (title, body, members only, days ago)
    news: list[tuple[str, str, bool, int]] = field(default_factory=list)
    # (username, organization, body)
    posts: list[tuple[str, str, str]] = field(default_factory=list)


NETWORKS = [
    DemoNetwork(
        LUP, "lup", Network.Kind.NATIONAL,
        "Leverandørutviklingsprogrammet hjelper offentlige virksomheter å bruke anskaffelsene sine til innovasjon: "
        "med dialogkonferanser der mange innkjøpere møter markedet samtidig, veiledning gjennom hele "
        "anskaffelsesløpet og et nettverk av partnere. Programmet drives av NHO og KS sammen med blant andre DFØ, "
        "Innovasjon Norge og Forskningsrådet.",
        "https://innovativeanskaffelser.no", ["https://innovativeanskaffelser.no"],
        members=["4601", "0301", "4204", "5001", "Statens vegvesen", "Avinor AS"],
        cases=["demo-001", "demo-007", "demo-036", "demo-042", "demo-004"],
        news=[("Ny veileder: slik holder dere en dialogkonferanse",
               "Veilederen går gjennom planlegging, invitasjon, gjennomføring og oppsummering, med maler for agenda "
               "og spørsmål til markedet. Den bygger på erfaringene fra mer enn hundre dialogkonferanser.", False, 12),
              ("Felles dialogkonferanser for små kommuner",
               "Leverandører orker ikke mange små dialogkonferanser om det samme behovet. I år samler vi kommuner med "
               "likt behov til én konferanse per tema. Meld behovet ditt i Delbar, så tar vi kontakt.", False, 40)],
        posts=[("per", "Bergen", "Vi deler gjerne evalueringsmodellen fra innovasjonspartnerskapet om fallsensorer. "
                                 "Er det flere som har prøvd poeng for gevinstrealisering i tildelingen?")]),
    DemoNetwork(
        KS, "ks", Network.Kind.NATIONAL,
        "KS er kommunesektorens organisasjon. KS samler kommunenes erfaringer med innovative anskaffelser og deler "
        "dem i hele sektoren, slik at en god løsning i én kommune kan tas i bruk i mange.",
        "https://www.ks.no", ["https://www.ks.no"],
        cases=["demo-013", "demo-017", "demo-040", "demo-043"],
        news=[("Innovasjonsbarometeret viser at små kommuner henger etter",
               "Andelen små kommuner som har tatt i bruk en innovativ løsning fra en annen kommune, er halvparten av "
               "andelen blant de store. Se observatoriet for tallene i din region.", False, 20),
              ("Samisk språkstøtte kan gjenbrukes",
               "Karasjoks løsning for samisk språkstøtte i digitale tjenester er beskrevet i Delbar med "
               "kravspesifikasjon. Flere kommuner i forvaltningsområdet har meldt interesse.", False, 55)],
        posts=[("kari", KS, "Velkommen til diskusjonen! Her kan medlemmene dele spørsmål og erfaringer med "
                            "hverandre.")]),
    DemoNetwork(
        AGDER, "agder", Network.Kind.REGIONAL,
        "Innkjøpsnettverket i Agder er et samarbeid mellom kommunene i Agder og Agder fylkeskommune. Vi deler "
        "erfaringer, lager felles maler og gjør felles anskaffelser der flere kommuner har samme behov.",
        "https://innkjopsnettverket-agder.example.org", ["https://innkjopsnettverket-agder.example.org"],
        members=["4225", "4204", "4203", "4202", "4206", "4223", "Agder fylkeskommune"], pending=["4205"],
        cases=["demo-008", "demo-006", "demo-043"], curator="agnes",
        news=[("Oppsummering fra dialogkonferansen om nattilsyn",
               "Fire leverandører og tre kommuner deltok. Oppsummeringen og deltakerlisten ligger på "
               "dialogkonferansens side.", False, 39),
              ("Markedsdialog om lekkasjesøk i juni",
               "Lyngdal inviterer leverandører av lekkasjesøk til markedsdialog. Kommuner som vil være med på en "
               "felles anskaffelse, kan melde seg i Delbar.", False, 3),
              ("Nettverksmøte: utkast til felles kravspesifikasjon",
               "Utkastet til felles kravspesifikasjon for digitalt nattilsyn ligger i dokumentområdet. Kommenter "
               "innen fredag, så tar vi det opp på nettverksmøtet.", True, 7)],
        posts=[("ingrid", "4225", "Lyngdal vurderer å være med på den felles anskaffelsen av nattilsyn. Hvor mange "
                                  "brukere regner dere med i Kristiansand?")]),
    DemoNetwork(
        WELFARE, "velferdsteknologi", Network.Kind.SECTOR,
        "Velferdsteknologiprogrammet hjelper kommunene å ta i bruk velferdsteknologi i helse- og omsorgstjenestene: "
        "trygghetsskapende teknologi, medisinhåndtering og digital hjemmeoppfølging. Leverandører kan bli med i "
        "nettverket og følge kommunenes behov.",
        "https://velferdsteknologi.example.org", ["https://velferdsteknologi.example.org"],
        members=["4601", "1103", "5001", "3301", "4621", "4614", "4204", "Nordlys Velferdsteknologi AS"],
        accepts_suppliers=True, cases=["demo-012", "demo-037", "demo-031"],
        news=[("Gevinstkartlegging for digitalt nattilsyn",
               "Kommunene i programmet har målt sparte kjøreturer og færre vekkede brukere. Resultatene er lagt inn "
               "som gevinster på casene i samlingen.", False, 9),
              ("Nye kommuner i programmet",
               "Drammen og Stord er nå med i programmet. Velkommen!", False, 30)],
        posts=[("per", "4601", "Er det noen som har erfaring med å koble medisindispensere til journalsystemet?"),
               ("sven", "Nordlys Velferdsteknologi AS",
                "Vi har gjort det i to kommuner med meldingsutveksling; vi deler gjerne oppsettet.")]),
]

# Suppliers at the past dialogue conference, besides the demo's own (numbers: see the module docstring).
SUPPLIERS = [("Trygghetsteknikk Sør AS", "310000019"), ("Omsorgsdata AS", "310000027"),
             ("Sensorhuset Agder AS", "310000035")]


def _org(key: str) -> Organization:
    """An organization by municipality number or by name."""
    if key.isdigit():
        return Organization.objects.get(municipality_number=key)
    return Organization.objects.get(name=key)


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _days_ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def load_networks() -> list:
    """The four networks, their members, collections, news, discussions and (Agder) a members' document."""
    made = []
    for demo in NETWORKS:
        organization = Organization.objects.get(name=demo.name, kind=Organization.Kind.NETWORK)
        network, _created = Network.objects.get_or_create(organization=organization, defaults={
            "slug": demo.slug, "kind": demo.kind, "description": demo.description, "website": demo.website,
            "embed_origins": "\n".join(demo.origins), "accepts_suppliers": demo.accepts_suppliers})
        curator = _user(demo.curator)
        for key in demo.members:
            NetworkMember.objects.get_or_create(network=network, organization=_org(key), defaults={
                "status": NetworkMember.Status.ACTIVE, "decided_by": curator, "decided_at": _days_ago(60)})
        for key in demo.pending:
            NetworkMember.objects.get_or_create(network=network, organization=_org(key))
        for case in Case.objects.published().filter(external_id__in=demo.cases):
            CaseNetwork.objects.get_or_create(case=case, network=organization,
                                              defaults={"via": CaseNetwork.Via.CURATOR, "added_by": curator})
        for title, body, members_only, days in demo.news:
            item, created = NewsItem.objects.get_or_create(network=network, title=title, defaults={
                "body": body, "members_only": members_only, "author": curator})
            if created:
                NewsItem.objects.filter(pk=item.pk).update(published_at=_days_ago(days))
            made.append(item)
        for username, key, body in demo.posts:
            Post.objects.get_or_create(network=network, body=body,
                                       defaults={"author": _user(username), "organization": _org(key)})
        made.append(network)
    agder = Network.objects.get(slug="agder")
    if not agder.documents.exists():
        pdf = EXAMPLE_PDF.read_bytes()
        document = NetworkDocument(network=agder, title="Utkast: felles kravspesifikasjon for digitalt nattilsyn",
                                   original_name="kravspesifikasjon-nattilsyn.pdf", content_type="application/pdf",
                                   size=len(pdf), uploaded_by=_user("agnes"))
        document.file.save(document.original_name, ContentFile(pdf), save=False)
        document.save()
    if not agder.logo:
        update_network(network=agder, actor=_user("agnes"), fields={}, logo=_drawn_logo())
    return made


def _drawn_logo() -> io.BytesIO:
    """A plain logo for the Agder network, drawn here rather than shipped as a file: two coloured bands."""
    picture = Image.new("RGB", (160, 160), "#ffffff")
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 0, 160, 80), fill="#1e4a7a")
    draw.rectangle((0, 80, 160, 160), fill="#c8102e")
    out = io.BytesIO()
    picture.save(out, format="PNG")
    out.seek(0)
    return out

