"""Dialogue conferences and market dialogues: a buyer, a buyer group or a network asks the market about
one or more needs. Suppliers register, ask in public and give written input that the organizers alone
read; afterwards a summary and the participating organizations are published, and Delbar proposes
who should meet whom (matchmaking.py)."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from delbar.cases.documents import EXTENSIONS
from delbar.orgs.models import Organization

ACTIVE_DIALOGUE = models.Q(cancelled_at__isnull=True)


def dialogue_visibility(user, *, active: models.Q = ACTIVE_DIALOGUE) -> models.Q:
    """Which dialogues a person finds (lists, search, alerts): every one not cancelled, whoever asks. The
    one rule for Dialogue rows and, given how a search document says "not cancelled", for their search
    documents. (A cancelled dialogue stays readable at its address, for those who registered.)"""
    return active


class DialogueQuerySet(models.QuerySet):
    def active(self):
        return self.filter(ACTIVE_DIALOGUE)

    def visible_to(self, user):
        return self.filter(dialogue_visibility(user))

    def upcoming(self, now=None):
        return self.filter(ends_at__gte=now or timezone.now(), cancelled_at__isnull=True).order_by("starts_at")

    def past(self, now=None):
        return self.filter(ends_at__lt=now or timezone.now()).order_by("-starts_at")


class Dialogue(models.Model):
    class Kind(models.TextChoices):
        CONFERENCE = "conference", _("Dialogue conference")
        MARKET = "market", _("Market dialogue")
        MEETING = "meeting", _("Network meeting")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CONFERENCE)
    title = models.CharField(_("title"), max_length=200)
    purpose = models.TextField(_("purpose"), max_length=3000,
                               help_text=_("What you want to learn from the market, and why now."))
    agenda = models.TextField(_("agenda"), max_length=5000, blank=True)
    market_questions = models.TextField(_("questions for the market"), max_length=5000, blank=True,
                                        help_text=_("One question per line. Suppliers answer them in their "
                                                    "written input."))
    # Who organizes: a buyer (always: the organization whose people run it), and where it grew from.
    organizer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="organized_dialogues",
                                  verbose_name=_("organizer"))
    group = models.ForeignKey("groups.BuyerGroup", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="dialogues", verbose_name=_("buyer group"))
    network = models.ForeignKey("networks.Network", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="dialogues", verbose_name=_("network"))
    needs = models.ManyToManyField("needs.Need", blank=True, related_name="dialogues", verbose_name=_("needs"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    registration_deadline = models.DateTimeField(_("registration deadline"))
    place = models.CharField(_("place"), max_length=300, blank=True, help_text=_("Address, or blank if online only."))
    online_url = models.URLField(_("online meeting link"), blank=True)
    capacity = models.PositiveSmallIntegerField(_("places (organizations)"), null=True, blank=True,
                                                help_text=_("Blank for no limit."))
    # Doffin has no form for dialogue invitations; buyers publish a prior information notice instead.
    notice = models.ForeignKey("notices.Notice", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="dialogues", verbose_name=_("notice"))
    notice_url = models.URLField(_("Doffin notice"), blank=True,
                                 help_text=_("The prior information notice on Doffin, if there is one."))
    summary = models.TextField(_("summary"), max_length=10000, blank=True)
    summary_published_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Reminders: when the day-before reminder went out (once, whatever restarts; tasks.py).
    reminded_at = models.DateTimeField(null=True, blank=True)
    # The iCalendar SEQUENCE: raised with each change that calendars must pick up (RFC 5545 3.8.7.4).
    sequence = models.PositiveIntegerField(default=0, editable=False)

    objects = DialogueQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("dialogue")
        verbose_name_plural = _("dialogues")
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gte=models.F("starts_at")),
                                   name="dialogue_ends_after_start"),
            models.CheckConstraint(condition=models.Q(registration_deadline__lte=models.F("ends_at")),
                                   name="dialogue_registration_before_end"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("dialogue_detail", args=[self.pk])

    @property
    def is_past(self) -> bool:
        return self.ends_at < timezone.now()

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def registration_open(self) -> bool:
        return self.cancelled_at is None and timezone.now() <= self.registration_deadline

    @property
    def summary_published(self) -> bool:
        return self.summary_published_at is not None

    def places_taken(self) -> int:
        return self.registrations.active().count()

    def places_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.places_taken(), 0)

    def question_lines(self) -> list[str]:
        return [line.strip() for line in self.market_questions.splitlines() if line.strip()]


class RegistrationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(cancelled_at__isnull=True)


class Registration(models.Model):
    """An organization's place at a dialogue. Attendees' names are shown to the organizers only; the
    participant list published afterwards names organizations, never people."""

    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="registrations")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="dialogue_registrations")
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="dialogue_registrations")
    attendees = models.TextField(_("attendees"), max_length=2000, help_text=_(
        "Name and role of each person coming, one per line. Only the organizers see them."))
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The day-before reminder went out for this registration (actions.send_reminders: once, whatever reruns).
    reminded_at = models.DateTimeField(null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["dialogue", "organization"],
                                               name="one_registration_per_organization")]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")

    def __str__(self) -> str:
        return f"{self.organization} at {self.dialogue}"

    def attendee_lines(self) -> list[str]:
        return [line.strip() for line in self.attendees.splitlines() if line.strip()]


class DialogueQuestion(models.Model):
    """A question to the organizers, answered once, in public, for everyone."""

    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="questions")
    body = models.TextField(_("question"), max_length=2000)
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(_("answer"), max_length=5000, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.body[:80]


class WrittenInput(models.Model):
    """A supplier's written answer to the dialogue's questions. The organizers alone read it."""

    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="inputs")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="dialogue_inputs")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    body = models.TextField(_("your input"), max_length=20000)
    submitted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        constraints = [models.UniqueConstraint(fields=["dialogue", "organization"], name="one_input_per_organization")]
        verbose_name = _("written input")
        verbose_name_plural = _("written input")

    def __str__(self) -> str:
        return f"{self.organization} on {self.dialogue}"


def input_document_path(instance: "InputDocument", filename: str) -> str:
    return f"dialogues/{instance.written_input.dialogue_id}/{uuid.uuid4().hex}{instance.extension}"


class InputDocument(models.Model):
    written_input = models.ForeignKey(WrittenInput, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("document title"), max_length=200)
    file = models.FileField(_("file"), upload_to=input_document_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title

    @property
    def extension(self) -> str:
        return EXTENSIONS.get(self.content_type, "")


class Meeting(models.Model):
    """A proposed meeting at a dialogue (matchmaking): two organizations and why they should meet. The
    organizers edit the table (remove, add, set a time) and send it out."""

    class Kind(models.TextChoices):
        BUYERS = "buyers", _("Buyers with the same need")
        SUPPLIER = "supplier", _("Buyer and supplier")

    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    first = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("buyer"))
    second = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("meets"))
    # The need on the agenda it is about, and the other buyer's need or the supplier's solution.
    need = models.ForeignKey("needs.Need", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    other_need = models.ForeignKey("needs.Need", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    solution = models.ForeignKey("suppliers.Solution", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    reason = models.CharField(_("why"), max_length=500, blank=True)
    score = models.FloatField(default=0)
    slot = models.CharField(_("time and table"), max_length=100, blank=True)
    removed = models.BooleanField(default=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Added by the organizers, not proposed: proposing again leaves its reason alone.
    by_hand = models.BooleanField(default=False)

    class Meta:
        ordering = ["kind", "-score", "id"]
        constraints = [models.UniqueConstraint(fields=["dialogue", "first", "second"], name="one_meeting_per_pair")]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return f"{self.first} – {self.second}"
