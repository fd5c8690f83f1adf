"""Demo dialogues: a past dialogue conference in Agder on Kristiansand's need for digital night supervision
(now being procured), with registrations from four suppliers and two buyers, written input, answered
questions, a published summary and the matchmaking table that was sent out; and an upcoming market
dialogue on Lyngdal's need to find leaks, three weeks after the demo is first loaded, open for
registration. Running it again changes nothing (each row is keyed by what makes it unique).

The times are set relative to the first load, so the past one stays past and the upcoming one is upcoming
for a while; a demo reloaded from scratch moves them along.
"""

import datetime as dt

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.utils import timezone

from delbar.demo.networks import AGDER, EXAMPLE_PDF, SUPPLIERS
from delbar.dialogues.models import Dialogue, DialogueQuestion, InputDocument, Meeting, Registration, WrittenInput
from delbar.needs.models import Need
from delbar.networks.models import Network
from delbar.orgs.models import Organization
from delbar.suppliers.models import Solution

NIGHT = "Dialogkonferanse: digitalt tilsyn om natten i Agder"
LEAKS = "Markedsdialog: lekkasjesøk på vannledningsnettet"


def _at(days: int, hour: int) -> dt.datetime:
    """`days` from today (negative: before) at `hour` o'clock, Norwegian time."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _org(name: str) -> Organization:
    return Organization.objects.get(name=name)


def _user(username: str) -> User:
    return User.objects.get(username=username)


def load_dialogues() -> list[Dialogue]:
    for name, number in SUPPLIERS:
        Organization.objects.get_or_create(name=name, kind=Organization.Kind.SUPPLIER,
                                           defaults={"org_number": number})
    return [_night_supervision(), _leaks()]


def _dialogue(title: str, organizer: Organization, needs: list[Need], **fields) -> tuple[Dialogue, bool]:
    dialogue, created = Dialogue.objects.get_or_create(title=title, organizer=organizer, defaults=fields)
    if created:
        dialogue.needs.set(needs)
    return dialogue, created


def _night_supervision() -> Dialogue:
    agnes, sven, per, ingrid = (_user(name) for name in ("agnes", "sven", "per", "ingrid"))
    kristiansand = Organization.objects.get(municipality_number="4204")
    need = Need.objects.get(external_id="demo-need-008")
    dialogue, created = _dialogue(
        NIGHT, kristiansand, [need], kind=Dialogue.Kind.CONFERENCE, network=Network.objects.get(slug="agder"),
        purpose="Kristiansand og flere Agder-kommuner vil anskaffe digitalt tilsyn om natten sammen. Før vi skriver "
                "kravspesifikasjonen vil vi vite hva markedet kan levere i dag, hva som er modent, og hva som må "
                "til for at løsningen virker med trygghetsalarmene og journalsystemene vi har.",
        agenda="09.00 Velkommen og kommunenes behov\n09.45 Erfaringer fra Voss og Bergen\n10.30 Møter mellom "
               "kommuner og leverandører (20 minutter hver)\n13.00 Spørsmål og svar i plenum\n14.30 Veien videre "
               "og tidsplan for konkurransen",
        market_questions="Hvilke løsninger for digitalt tilsyn har dere i drift i norske kommuner i dag?\n"
                         "Hvordan håndterer løsningen samtykke og personvern når kamera brukes?\n"
                         "Hva trenger dere fra kommunene for å integrere med trygghetsalarm og journal?\n"
                         "Hvordan bør en felles anskaffelse for flere kommuner deles opp?",
        starts_at=_at(-45, 9), ends_at=_at(-45, 15), registration_deadline=_at(-52, 12),
        place="Kristiansand rådhus, Rådhusgata 18, Kristiansand", capacity=40, created_by=agnes,
        summary="Fire leverandører og tre kommuner deltok. Alle leverandørene har løsninger i drift i norske "
                "kommuner, og tre kan levere integrasjon mot trygghetsalarmene kommunene bruker. Markedet anbefaler "
                "én rammeavtale med delkontrakter per kommune, funksjonskrav fremfor tekniske krav, og en pilot på "
                "tre måneder før full utrulling. Samtykke må innhentes per bruker og dokumenteres i journalen; "
                "leverandørene viste hvordan de logger det. Kristiansand lyser ut en felles konkurranse for "
                "kommunene i nettverket i høst.",
        summary_published_at=_at(-40, 12))
    if created:
        Dialogue.objects.filter(pk=dialogue.pk).update(created_at=_at(-75, 10))
    registrations = [
        ("Nordlys Velferdsteknologi AS", sven, "Sven Leverandør, daglig leder\nTuva Tekniker, prosjektleder"),
        ("Trygghetsteknikk Sør AS", None, "Stine Sør, salgssjef"),
        ("Omsorgsdata AS", None, "Oskar Omsorg, produktansvarlig\nEva Eksempel, integrasjonsutvikler"),
        ("Sensorhuset Agder AS", None, "Henrik Hus, daglig leder"),
        ("Bergen", per, "Per Bergen, rådgiver velferdsteknologi"),
        ("Lyngdal", ingrid, "Ingrid Lyngdal, innkjøpsrådgiver"),
    ]
    for name, user, attendees in registrations:
        Registration.objects.get_or_create(dialogue=dialogue, organization=_org(name),
                                           defaults={"registered_by": user, "attendees": attendees})
    inputs = [
        ("Nordlys Velferdsteknologi AS", sven,
         "1. Vi har nattilsyn med sensorer i drift i Voss og to andre kommuner, med kamera bare etter samtykke.\n"
         "2. Samtykke registreres per bruker i vår portal og overføres til journalen; kameraet kan ikke slås på "
         "uten.\n3. Vi trenger tilgang til trygghetsalarmens mottak og en testbruker i journalsystemet.\n"
         "4. Én rammeavtale med avrop per kommune, og en felles pilot på tre måneder."),
        ("Trygghetsteknikk Sør AS", None,
         "Vi anbefaler å starte med sengesensorer og døralarmer, som er modne, og å vente med kamera til "
         "kommunene har rutiner for samtykke. Integrasjon mot trygghetsalarm leverer vi i dag i Agder."),
    ]
    for name, user, body in inputs:
        written, made = WrittenInput.objects.get_or_create(dialogue=dialogue, organization=_org(name),
                                                           defaults={"submitted_by": user, "body": body})
        if made and user is not None:
            pdf = EXAMPLE_PDF.read_bytes()
            document = InputDocument(written_input=written, title="Løsningsbeskrivelse (eksempel)",
                                     original_name="losningsbeskrivelse.pdf", content_type="application/pdf",
                                     size=len(pdf))
            document.file.save(document.original_name, ContentFile(pdf), save=False)
            document.save()
    questions = [
        (sven, "Kan leverandører uten integrasjon mot trygghetsalarmen delta i konkurransen?",
         "Ja. Integrasjon blir et krav i kontrakten, ikke for å delta; dere kan samarbeide med en annen leverandør."),
        (per, "Får kommuner utenfor Agder bli med på den felles anskaffelsen?",
         "Rammeavtalen gjelder kommunene i nettverket. Andre kommuner kan bruke kravspesifikasjonen vår fritt."),
    ]
    for asker, body, answer in questions:
        DialogueQuestion.objects.get_or_create(dialogue=dialogue, body=body, defaults={
            "asked_by": asker, "answer": answer, "answered_by": agnes, "answered_at": _at(-48, 14)})
    nordlys = _org("Nordlys Velferdsteknologi AS")
    meetings = [
        (Meeting.Kind.SUPPLIER, "Nordlys Velferdsteknologi AS",
         Solution.objects.filter(organization=nordlys, title__startswith="Nattilsyn").first(),
         "Løsningen «Nattilsyn med sensorer og kamera etter samtykke» svarer på behovet, og er i drift i Voss.",
         0.86, "10.30, bord 1"),
        (Meeting.Kind.SUPPLIER, "Trygghetsteknikk Sør AS", None,
         "Leverer integrasjon mot trygghetsalarmer i Agder.", 0.71, "10.50, bord 1"),
        (Meeting.Kind.SUPPLIER, "Omsorgsdata AS", None, "Integrasjon med journalsystemet.", 0.64, "11.10, bord 1"),
        (Meeting.Kind.BUYERS, "Bergen", None,
         "Bergen har prøvd fallsensorer i en førkommersiell anskaffelse og vil dele erfaringene.", 0.78,
         "11.30, bord 2"),
    ]
    for kind, second, solution, reason, score, slot in meetings:
        Meeting.objects.get_or_create(dialogue=dialogue, first=kristiansand, second=_org(second), defaults={
            "kind": kind, "need": need, "solution": solution, "reason": reason, "score": score, "slot": slot,
            "sent_at": _at(-47, 9)})
    return dialogue


def _leaks() -> Dialogue:
    ingrid, per, sven = (_user(name) for name in ("ingrid", "per", "sven"))
    lyngdal = Organization.objects.get(municipality_number="4225")
    dialogue, _created = _dialogue(
        LEAKS, lyngdal, [Need.objects.get(external_id="demo-need-001")], kind=Dialogue.Kind.MARKET,
        network=Network.objects.get(organization__name=AGDER),
        purpose="Lyngdal mister nesten en tredjedel av drikkevannet i lekkasjer. Før vi lyser ut ønsker vi å vite "
                "hvilke metoder for lekkasjesøk som virker på et gammelt ledningsnett med lange avstander, hva de "
                "koster å drifte, og om en felles anskaffelse med Arendal og andre Agder-kommuner gir bedre tilbud.",
        agenda="09.00 Lyngdals ledningsnett og behov\n09.30 Leverandørene presenterer (15 minutter hver)\n"
               "11.00 Spørsmål og svar\n11.30 Veien videre",
        market_questions="Hvilke metoder for lekkasjesøk passer et ledningsnett med mange kilometer "
                         "støpejernsrør?\nHva koster drift og vedlikehold per år?\n"
                         "Kan løsningen deles mellom flere kommuner?",
        starts_at=_at(21, 9), ends_at=_at(21, 12), registration_deadline=_at(14, 12),
        place="Lyngdal rådhus, Alleen 22, Lyngdal", online_url="https://meet.example.org/lyngdal-lekkasjesok",
        capacity=20, created_by=ingrid)
    Registration.objects.get_or_create(dialogue=dialogue, organization=_org("Vannvakt Sensor AS"),
                                       defaults={"attendees": "Vilde Vannvakt, salgssjef"})
    DialogueQuestion.objects.get_or_create(
        dialogue=dialogue, body="Kan kommuner som ikke er i innkjøpsgruppen følge markedsdialogen digitalt?",
        defaults={"asked_by": per, "answer": "Ja, lenken til det digitale møtet står på siden. Alle kommuner er "
                                             "velkomne til å følge med.",
                  "answered_by": ingrid, "answered_at": timezone.now()})
    # Sven's registration and input are still his to change before the day, and one proposed meeting
    # is still to be sent: the organizers' and the supplier's forms all have something to act on.
    nordlys = _org("Nordlys Velferdsteknologi AS")
    Registration.objects.get_or_create(dialogue=dialogue, organization=nordlys, defaults={
        "registered_by": sven, "attendees": "Sven Sensor, løsningsarkitekt"})
    written, made = WrittenInput.objects.get_or_create(dialogue=dialogue, organization=nordlys, defaults={
        "submitted_by": sven, "body": "Våre akustiske loggere brukes på støpejernsnett; driften koster rundt "
                                      "40 000 kroner i året per sone, og kan deles mellom kommuner."})
    if made:
        pdf = EXAMPLE_PDF.read_bytes()
        document = InputDocument(written_input=written, title="Produktark (eksempel)",
                                 original_name="produktark.pdf", content_type="application/pdf", size=len(pdf))
        document.file.save(document.original_name, ContentFile(pdf), save=False)
        document.save()
    Meeting.objects.get_or_create(dialogue=dialogue, first=lyngdal, second=nordlys, defaults={
        "kind": Meeting.Kind.SUPPLIER, "need": dialogue.needs.first(), "score": 0.6,
        "reason": "Leverer lekkasjesøk med akustiske loggere."})
    DialogueQuestion.objects.get_or_create(
        dialogue=dialogue, body="Vil dere vurdere lekkasjesøk med satellittdata som et alternativ til sensorer?",
        defaults={"asked_by": sven})
    return dialogue
