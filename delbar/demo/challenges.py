"""Demo innovation competitions: one finished and one open for applications, made through the same actions
as the pages (delbar/challenges/actions.py), so they are audited, told and found in search like any other.

- Finished: Lyngdal leads a buyer group with Bergen around its need for digital night supervision, as a
  pre-commercial procurement in two phases (a feasibility study, then an invited-only prototype phase).
  Three applicants in phase 1 (Nordlys Velferdsteknologi with sven as submitter, Trygghetsteknikk Sør, and
  a consortium led by Sensorhuset Agder with Omsorgsdata as partner); ingrid and per evaluate, per declares
  a conflict on one application; two go on, Nordlys wins phase 2, the challenge ends in a contract and its
  case is published (and Karasjok, with the same need, takes it up).
- Open: Innkjøpsnettverket i Agder asks for safer medicine at home as an innovation partnership; phase 1
  is open for some five weeks from the first load, phase 2 follows; agnes and ingrid are appointed
  evaluators; Nordlys (sven) and Trygghetsteknikk Sør have applied; one question is answered, one is not.

Running it again changes nothing: each challenge is made once, keyed by its owner and title. The dates are
relative to the first load, as the demo dialogues' are; a demo loaded from scratch moves them along.
"""

import datetime as dt

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from delbar import search
from delbar.cases import actions as case_actions
from delbar.challenges import actions
from delbar.challenges.models import Application, Challenge, ChallengeQuestion, Evaluation, Phase
from delbar.demo.networks import AGDER, EXAMPLE_PDF
from delbar.diffusion import actions as adoption_actions
from delbar.diffusion.models import AdoptionRoute
from delbar.groups.actions import form_group
from delbar.groups.models import BuyerGroup
from delbar.needs import actions as need_actions
from delbar.needs.models import Need, NeedInterest
from delbar.networks.models import Network
from delbar.orgs.models import CpvCode, Organization, Sector
from delbar.suppliers.models import Solution

NIGHT = "Nattilsyn uten å vekke brukerne"
MEDICINE = "Riktig medisin til rett tid for hjemmeboende"
NIGHT_NEED = "demo-need-lyngdal-nattilsyn"
NORDLYS = "Nordlys Velferdsteknologi AS"
TRYGGHET = "Trygghetsteknikk Sør AS"
SENSORHUSET = "Sensorhuset Agder AS"
OMSORGSDATA = "Omsorgsdata AS"

CRITERIA = [
    {"name": "Nytte for brukerne og nattjenesten",
     "description": "Færre unødvendige tilsyn og forstyrrelser, like trygt eller tryggere enn i dag.", "weight": 40},
    {"name": "Innovasjonshøyde og gjennomførbarhet",
     "description": "Hva er nytt, og er planen og teamet realistiske for fasen?", "weight": 35},
    {"name": "Personvern og integrasjon",
     "description": "Samtykke, logging, og samspill med trygghetsalarm og journal.", "weight": 25},
]
MEDICINE_CRITERIA = [
    {"name": "Færre feil og glemte doser",
     "description": "Hvor mye løsningen kan redusere avvik i legemiddelhåndteringen hjemme.", "weight": 45},
    {"name": "Brukervennlighet for eldre",
     "description": "Om brukere med nedsatt syn, hørsel eller hukommelse klarer seg selv.", "weight": 30},
    {"name": "Pris og drift",
     "description": "Hva løsningen koster å kjøpe og drifte per bruker og år.", "weight": 25},
]


def _at(days: int, hour: int) -> dt.datetime:
    """`days` from today (negative: before) at `hour` o'clock, Norwegian time."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _day(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def _org(name: str) -> Organization:
    return Organization.objects.get(name=name)


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, EXAMPLE_PDF.read_bytes(), content_type="application/pdf")


def load_challenges() -> list[Challenge]:
    """Both demo challenges, made once (each in one transaction, so a failed load leaves no half of one)."""
    with transaction.atomic():
        finished = _finished()
    with transaction.atomic():
        open_now = _open()
    return [finished, open_now]


# --- The finished one ------------------------------------------------------------------------------------

def _night_group(ingrid: User, per: User) -> BuyerGroup:
    """Lyngdal's need for digital night supervision, shared by Bergen, and the buyer group around it."""
    lyngdal, bergen = _org("Lyngdal"), _org("Bergen")
    need = Need.objects.filter(external_id=NIGHT_NEED).first()
    if need is None:
        need = need_actions.create_need(
            actor=ingrid, organization=lyngdal, external_id=NIGHT_NEED, match=False,
            cpv_codes=CpvCode.objects.filter(code__in=["85312000", "35125300"]),
            fields={"title": "Digitalt nattilsyn i hjemmetjenesten",
                    "description": "Nattpatruljen i Lyngdal kjører opptil 15 mil i løpet av en natt for å se til "
                                   "brukere som sover. Mange blir vekket av tilsynet, og nattevakten har lite tid "
                                   "til dem som faktisk trenger hjelp. Vi vil vite hvem som trenger oss, uten å "
                                   "forstyrre de andre.",
                    "sector": Sector.objects.get(pk="helse-omsorg"), "budget_max_nok": 6_000_000})
    if not NeedInterest.objects.filter(need=need, organization=bergen).exists():
        need_actions.join(need=need, actor=per, organization=bergen,
                          note="Bergen har samme utfordring i hjemmetjenesten og vil gjerne være med.")
    group = BuyerGroup.objects.filter(need=need).first()
    if group is None:
        group = form_group(need=need, actor=ingrid, name="Nattilsyn Lyngdal og Bergen", members=[bergen])
    return group


def _finished() -> Challenge:
    ingrid, per, sven, kari = (_user(name) for name in ("ingrid", "per", "sven", "kari"))
    lyngdal, bergen = _org("Lyngdal"), _org("Bergen")
    existing = Challenge.objects.filter(owner=lyngdal, title=NIGHT).first()
    if existing is not None:
        return existing
    group = _night_group(ingrid, per)
    challenge = actions.create(actor=ingrid, owner=lyngdal, group=group, fields={
        "title": NIGHT,
        "problem": "Nattjenesten i Lyngdal og Bergen gjør hver natt hundrevis av fysiske tilsyn hos hjemmeboende "
                   "som sover. Tilsynet vekker mange av dem, og i Lyngdal kjører nattpatruljen lange avstander "
                   "for et kort blikk inn døra. Samtidig oppdager vi fall og uro for sent, fordi vi ikke kan være "
                   "alle steder samtidig. Ingen løsning vi har sett, kombinerer varsling, samtykke og journal på en "
                   "måte som passer både en liten og en stor kommune.",
        "success": "Minst 30 % færre fysiske tilsyn om natten i pilotområdene, uten flere uønskede hendelser, "
                   "målt over tre måneder mot samme periode året før. Brukerne skal oppleve bedre søvn "
                   "(spørreundersøkelse før og etter), og nattevaktene skal få varsel om fall innen to minutter.",
        "eligibility": "Leverandører av alle størrelser, alene eller i konsortium med én ansvarlig søker. "
                       "Forskningsmiljøer kan være partnere.",
        "route": "pre-commercial",
        "notice_url": "https://www.doffin.no/notices/2025-100123",
    })
    first = actions.add_phase(challenge=challenge, actor=ingrid, fields={
        "kind": Phase.Kind.FEASIBILITY, "budget_nok": 1_200_000, "max_awards": 2,
        "description": "En mulighetsstudie på åtte uker: hvordan løsningen virker hos våre brukere, hva den krever "
                       "av integrasjon og samtykke, og en plan for en prototype.",
        "opens_at": _at(0, 0) - dt.timedelta(hours=1), "closes_at": _at(14, 12)})
    second = actions.add_phase(challenge=challenge, actor=ingrid, fields={
        "kind": Phase.Kind.PROTOTYPE, "budget_nok": 4_000_000, "max_awards": 1, "invited_only": True,
        "description": "En prototype i drift hos 20 brukere i hver kommune i tre måneder, med måling av "
                       "tilsyn, varsler og brukernes søvn.",
        "opens_at": _at(30, 9), "closes_at": _at(60, 12)})
    actions.set_criteria(challenge=challenge, actor=ingrid, rows=CRITERIA)
    # The returned challenge is the published one: later actions (answer reindexes) read its state.
    challenge = actions.publish(challenge=challenge, actor=ingrid)
    evaluators = {"ingrid": actions.appoint_evaluator(challenge=challenge, actor=ingrid, user=ingrid,
                                                      organization=lyngdal),
                  "per": actions.appoint_evaluator(challenge=challenge, actor=ingrid, user=per, organization=bergen)}
    question = actions.ask(challenge=challenge, actor=sven,
                           body="Må løsningen bruke kamera, eller holder det med sensorer?")
    actions.answer(question=question, actor=ingrid,
                   body="Kamera er ikke et krav. Vi vurderer løsningene etter hva de oppnår for brukerne, og "
                        "kamera kan bare brukes etter samtykke fra hver enkelt bruker.")

    nordlys, trygghet, sensorhuset = _org(NORDLYS), _org(TRYGGHET), _org(SENSORHUSET)
    applied = {
        "nordlys": actions.apply(phase=first, actor=sven, lead=nordlys, **_night_application_nordlys(nordlys)),
        "trygghet": actions.apply(phase=first, actor=None, lead=trygghet, fields={
            "title": "Sengesensor og døralarm koblet til trygghetsalarmen",
            "summary": "Vi kobler modne sengesensorer og døralarmer til trygghetsalarmen kommunene har, slik at "
                       "nattevakten får varsel når en bruker står opp og ikke legger seg igjen.",
            "approach": "Vi kartlegger 20 brukere i hver kommune, monterer sensorer og stiller inn varslene "
                        "sammen med nattevaktene.",
            "innovation": "Varslene tilpasses hver bruker ut fra hvordan de sover de første to ukene.",
            "team": "Seks personer med erfaring fra trygghetsalarmer i Agder siden 2014.",
            "plan": "Uke 1–2 kartlegging, uke 3–6 utprøving, uke 7–8 rapport.",
            "amount_nok": 450_000}),
        "consortium": actions.apply(phase=first, actor=None, lead=sensorhuset, partners=[_org(OMSORGSDATA)], fields={
            "title": "Radarbasert pustemåling uten kamera",
            "summary": "En liten radar på veggen måler pust og bevegelse uten bilder. Omsorgsdata kobler målingene "
                       "til journalen, slik at nattevakten ser hvem som trenger tilsyn.",
            "approach": "Vi tester radaren hos ti brukere i hver kommune og utvikler koblingen til journalen.",
            "innovation": "Ingen kamera og ingen ting brukeren må bære: radaren ser gjennom dyna, men ikke "
                          "ansiktet.",
            "team": "Sensorhuset Agder (radar og maskinvare) og Omsorgsdata (journalintegrasjon), til sammen ni "
                    "personer.",
            "plan": "Uke 1–3 installasjon, uke 4–7 målinger, uke 8 rapport og plan for prototype.",
            "amount_nok": 580_000}),
    }
    # Demo-only time travel: the call opened and closed months ago. The actions refuse to apply to a phase
    # that is not open, so the applications went in while it was; now its dates move back.
    Phase.objects.filter(pk=first.pk).update(opens_at=_at(-300, 9), closes_at=_at(-260, 12),
                                             evaluation_until=_day(-245), awards_by=_day(-235))
    first.refresh_from_db()
    _score(first, evaluators, {
        # application: (ingrid's scores, per's scores or a conflict note), per criterion in order
        "nordlys": ((9, 7, 8), (8, 8, 7)),
        "trygghet": ((6, 5, 7), "Jeg var ansatt i Trygghetsteknikk Sør AS fram til 2023 og har venner der."),
        "consortium": ((7, 8, 8), (8, 7, 9)),
    }, applied)
    actions.award(phase=first, actor=ingrid, awards={applied["nordlys"].pk: 600_000,
                                                     applied["consortium"].pk: 580_000},
                  justification="Nordlys Velferdsteknologi og konsortiet ledet av Sensorhuset Agder fikk høyest "
                                "samlet poengsum. Begge har en tydelig plan for å redusere antall tilsyn, og begge "
                                "løser samtykke og journalføring på en god måte. Trygghetsteknikk Sør har en moden "
                                "løsning, men den er i stor grad tilgjengelig i markedet i dag og gir mindre ny "
                                "kunnskap. Tildelingene er innenfor budsjettet for fasen på 1 200 000 kroner.")

    # Demo-only time travel: the invited-only prototype phase opens now for the awardees to apply...
    Phase.objects.filter(pk=second.pk).update(opens_at=_at(0, 0) - dt.timedelta(hours=1), closes_at=_at(30, 12))
    second.refresh_from_db()
    prototypes = {
        "nordlys": actions.apply(phase=second, actor=sven, lead=nordlys, fields={
            "title": "Prototype: nattilsyn med sensorer hos 40 brukere",
            "summary": "Vi setter sensorløsningen i drift hos 20 brukere i Lyngdal og 20 i Bergen, koblet til "
                       "trygghetsalarmen og journalen.",
            "approach": "Installasjon i uke 1–3, drift i tre måneder, ukentlig oppfølging med nattevaktene og "
                        "måling av tilsyn og varsler.",
            "innovation": "Varslene lærer brukerens søvnmønster; kamera brukes bare etter samtykke, og samtykket "
                          "logges i journalen.",
            "team": "Åtte personer, med prosjektleder og sykepleier i teamet.",
            "plan": "Måned 1 installasjon, måned 2–4 drift og måling, måned 5 sluttrapport.",
            "amount_nok": 3_400_000}),
        "consortium": actions.apply(phase=second, actor=None, lead=sensorhuset, partners=[_org(OMSORGSDATA)],
                                    fields={
            "title": "Prototype: radar og journal hos 30 brukere",
            "summary": "Radarene settes opp hos 15 brukere i hver kommune, med varsling i journalen.",
            "approach": "Installasjon over fire uker, tre måneders drift og en sammenligning med dagens tilsyn.",
            "innovation": "Pustemåling uten kamera, med varsler rett i journalen nattevakten allerede bruker.",
            "team": "Ni personer fra Sensorhuset Agder og Omsorgsdata.",
            "plan": "Måned 1 installasjon, måned 2–4 drift, måned 5 rapport.",
            "amount_nok": 3_100_000}),
    }
    # ...and its deadline passed long ago.
    Phase.objects.filter(pk=second.pk).update(opens_at=_at(-220, 9), closes_at=_at(-160, 12),
                                              evaluation_until=_day(-140), awards_by=_day(-125))
    second.refresh_from_db()
    _score(second, evaluators, {"nordlys": ((9, 8, 8), (9, 8, 9)), "consortium": ((7, 7, 8), (7, 6, 8))},
           prototypes)
    actions.award(phase=second, actor=ingrid, awards={prototypes["nordlys"].pk: 3_400_000},
                  justification="Nordlys Velferdsteknologi går videre. Prototypen deres har vist at nattevaktene kan "
                                "redusere de fysiske tilsynene mest, og integrasjonen med trygghetsalarmen er testet "
                                "i begge kommunene. Konsortiets radarløsning er lovende, men koblingen til journalen "
                                "er ikke ferdig utviklet. Beløpet er innenfor fasens budsjett på 4 000 000 kroner.")
    actions.end(challenge=challenge, actor=ingrid, ended_in_contract=True)
    _travel_back(challenge, first, second)
    challenge.refresh_from_db()

    case = actions.publish_case(challenge=challenge, actor=ingrid)
    case = case_actions.publish_case(case=case, actor=kari)
    # Karasjok has the same need (demo-need-003) and took the solution up after the contract.
    adoption_actions.declare(case=case, actor=None, organization=Organization.objects.get(municipality_number="5610"),
                             adopted_on=_day(-20), route=AdoptionRoute.SAME_SUPPLIER,
                             note="Demo: illustrativ adopsjon, ikke en ekte.")
    challenge.refresh_from_db()
    search.index(challenge)
    return challenge


def _night_application_nordlys(nordlys: Organization) -> dict:
    """Sven's application to the feasibility phase, building on Nordlys' solution, with a document."""
    return {
        "fields": {
            "solution": Solution.objects.filter(organization=nordlys, title__startswith="Nattilsyn").first(),
            "title": "Nattilsyn med sensorer og kamera etter samtykke",
            "summary": "Sensorer i rommet varsler nattevakten når en bruker står opp, faller eller ikke kommer "
                       "tilbake til sengen. Vi undersøker hvordan løsningen passer brukerne i Lyngdal og Bergen.",
            "approach": "Vi intervjuer nattevakter og ti brukere i hver kommune, kartlegger trygghetsalarm og "
                        "journal, og lager en plan for en prototype med tydelige mål.",
            "innovation": "Varslene tilpasses den enkelte, og samtykket til kamera registreres og logges i "
                          "journalen; kameraet kan ikke slås på uten.",
            "team": "Fem personer: daglig leder, prosjektleder, to utviklere og en sykepleier. Løsningen er i drift "
                    "i Voss og to andre kommuner.",
            "plan": "Uke 1–2 intervjuer, uke 3–5 kartlegging, uke 6–8 plan og kostnadsoverslag for prototypen.",
            "amount_nok": 600_000,
        },
        "documents": [(_pdf("mulighetsstudie-nordlys.pdf"), "application/pdf", "Prosjektbeskrivelse (eksempel)")],
    }


def _score(phase: Phase, evaluators: dict, marks: dict, applications: dict) -> None:
    """Each evaluator declares her interests and, without a conflict, scores every criterion and submits.
    `marks`: {application key: (ingrid's, per's)}, each a tuple of scores or a conflict note."""
    criteria = list(phase.challenge.criteria.all())
    notes = ("Godt begrunnet.", "Realistisk plan for fasen.", "Samtykke og logging er beskrevet.")
    for key, per_evaluator in marks.items():
        application = applications[key]
        for name, given in zip(("ingrid", "per"), per_evaluator, strict=True):
            evaluator = evaluators[name]
            if isinstance(given, str):
                actions.declare(evaluator=evaluator, application=application, actor=evaluator.user,
                                has_conflict=True, note=given)
                continue
            evaluation = actions.declare(evaluator=evaluator, application=application, actor=evaluator.user,
                                         has_conflict=False)
            actions.score(evaluation=evaluation, actor=evaluator.user, submit=True,
                          comment="Samlet sett en solid søknad." if min(given) >= 7 else "Noe svakere enn de beste.",
                          values={criterion.pk: (value, note)
                                  for criterion, value, note in zip(criteria, given, notes, strict=True)})


def _travel_back(challenge: Challenge, first: Phase, second: Phase) -> None:
    """Demo-only time travel: the actions stamp everything "now"; the finished challenge ran over the past
    year, so its stamps move back to when each step would have happened."""
    Challenge.objects.filter(pk=challenge.pk).update(created_at=_at(-320, 10), published_at=_at(-305, 10),
                                                     ended_at=_at(-60, 14))
    for phase, submitted, scored, decided in ((first, -280, -250, -236), (second, -190, -150, -126)):
        Phase.objects.filter(pk=phase.pk).update(decided_at=_at(decided, 13), notified_at=_at(decided, 13))
        Application.objects.filter(phase=phase).update(submitted_at=_at(submitted, 11), updated_at=_at(submitted, 11))
        Evaluation.objects.filter(application__phase=phase).update(declared_at=_at(scored - 2, 9))
        Evaluation.objects.filter(application__phase=phase, submitted_at__isnull=False).update(
            submitted_at=_at(scored, 15))
    ChallengeQuestion.objects.filter(challenge=challenge).update(created_at=_at(-295, 8), answered_at=_at(-293, 12))
    # The need and the buyer group it grew from came before it.
    Need.objects.filter(pk=challenge.need_id).update(created_at=_at(-400, 10))
    NeedInterest.objects.filter(need_id=challenge.need_id).update(created_at=_at(-380, 10))
    BuyerGroup.objects.filter(pk=challenge.group_id).update(created_at=_at(-350, 10))


# --- The open one ----------------------------------------------------------------------------------------

def _open() -> Challenge:
    agnes, ingrid, sven, per = (_user(name) for name in ("agnes", "ingrid", "sven", "per"))
    agder = Network.objects.select_related("organization").get(organization__name=AGDER)
    existing = Challenge.objects.filter(owner=agder.organization, title=MEDICINE).first()
    if existing is not None:
        return existing
    challenge = actions.create(
        actor=agnes, owner=agder.organization, network=agder,
        cpv_codes=CpvCode.objects.filter(code__in=["33196000", "85312000"]),
        fields={
            "title": MEDICINE,
            "problem": "Hjemmetjenesten i Agder bruker mye tid på å dele ut og minne om medisiner, og likevel blir "
                       "doser glemt eller tatt dobbelt. Feil i legemiddelhåndteringen er den vanligste uønskede "
                       "hendelsen i hjemmetjenesten hos oss. Mange brukere kunne klart seg selv med riktig hjelp, "
                       "men løsningene vi har prøvd, er vanskelige å bruke for eldre med nedsatt syn eller hukommelse.",
            "success": "Halvparten så mange avvik i legemiddelhåndteringen hos brukerne i piloten, målt i "
                       "avvikssystemet over seks måneder, og minst 25 % færre besøk som bare gjelder medisiner.",
            "eligibility": "Leverandører alene eller i konsortium med én ansvarlig søker. Kommunene i "
                           "Innkjøpsnettverket i Agder deltar i utprøvingen.",
            "route": "innovation-partnership",
            "sector": Sector.objects.get(pk="helse-omsorg"),
        })
    actions.add_phase(challenge=challenge, actor=agnes, fields={
        "kind": Phase.Kind.FEASIBILITY, "budget_nok": 900_000, "max_awards": 3,
        "description": "Konsepter og en plan for utprøving hos brukere i minst to kommuner i nettverket.",
        "opens_at": _at(-7, 9), "closes_at": _at(35, 12), "evaluation_until": _day(50), "awards_by": _day(56)})
    actions.add_phase(challenge=challenge, actor=agnes, fields={
        "kind": Phase.Kind.PILOT, "budget_nok": 3_500_000, "max_awards": 1,
        "description": "Utprøving hos 60 brukere i seks måneder, med opsjon på kjøp for kommunene i nettverket.",
        "opens_at": _at(70, 9), "closes_at": _at(110, 12)})
    actions.set_criteria(challenge=challenge, actor=agnes, rows=MEDICINE_CRITERIA)
    # The returned challenge is the published one: later actions (answer reindexes) read its state.
    challenge = actions.publish(challenge=challenge, actor=agnes)
    actions.appoint_evaluator(challenge=challenge, actor=agnes, user=agnes, organization=agder.organization)
    actions.appoint_evaluator(challenge=challenge, actor=agnes, user=ingrid, organization=_org("Lyngdal"))
    first = challenge.phases.get(number=1)
    nordlys = _org(NORDLYS)
    actions.apply(
        phase=first, actor=sven, lead=nordlys,
        fields={
            "solution": Solution.objects.filter(organization=nordlys, title__startswith="Medisindispenser").first(),
            "title": "Medisindispenser som snakker med hjemmetjenesten",
            "summary": "En låst dispenser gir riktig dose til riktig tid, minner brukeren på med lys og tale, og "
                       "varsler hjemmetjenesten når en dose ikke blir tatt.",
            "approach": "Vi tester dispenseren hos ti brukere i Lyngdal og ti i Kristiansand, og lager varsler som "
                        "går rett til hjemmetjenestens vaktlister.",
            "innovation": "Talepåminnelse på brukerens dialekt og varsel til hjemmetjenesten bare når dosen faktisk "
                          "er glemt, ikke ved hver påminnelse.",
            "team": "Sju personer, blant dem en farmasøyt og en sykepleier.",
            "plan": "Måned 1 konsept og brukerintervjuer, måned 2 testing, måned 3 plan for piloten.",
            "amount_nok": 300_000,
        },
        documents=[(_pdf("konsept-medisindispenser.pdf"), "application/pdf", "Konseptbeskrivelse (eksempel)")])
    actions.apply(phase=first, actor=None, lead=_org(TRYGGHET), fields={
        "title": "Medisinpåminnelse via trygghetsalarmen",
        "summary": "Trygghetsalarmen brukerne allerede har, får påminnelse om medisiner og kvittering når dosen "
                   "er tatt.",
        "approach": "Vi utvider alarmens programvare og prøver den hos 15 brukere.",
        "innovation": "Ingen ny dings i hjemmet: påminnelsen kommer fra alarmen brukeren kjenner.",
        "team": "Fire utviklere og en prosjektleder.",
        "plan": "Seks uker utvikling, seks uker utprøving.",
        "amount_nok": 280_000})
    question = actions.ask(challenge=challenge, actor=sven,
                           body="Kan vi bruke dispensere som allerede er CE-merket, eller må løsningen være ny?")
    actions.answer(question=question, actor=agnes,
                   body="Dere kan bygge på CE-merkede produkter. Det nye må ligge i hvordan løsningen virker for "
                        "brukerne og hjemmetjenesten, ikke nødvendigvis i selve maskinvaren.")
    actions.ask(challenge=challenge, actor=per,
                body="Kan kommuner utenfor Agder ta i bruk løsningen etter piloten, for eksempel Bergen?")
    return challenge
