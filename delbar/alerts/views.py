from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from delbar.alerts.digest import settings_for
from delbar.alerts.forms import AlertSettingsForm, SubscriptionForm
from delbar.alerts.models import AlertSettings, Frequency, Subscription


@login_required
def notifications(request):
    page = Paginator(request.user.notifications.all(), 50).get_page(request.GET.get("page"))
    return render(request, "alerts/notifications.html", {"page": page})


@login_required
@require_POST
def notifications_read(request):
    request.user.notifications.filter(read_at=None).update(read_at=timezone.now())
    return redirect("notifications")


@login_required
def alerts(request):
    alert_settings = settings_for(request.user)
    settings_form = AlertSettingsForm(instance=alert_settings)
    subscription_form = SubscriptionForm(initial={"topic": request.GET.get("topic", ""),
                                                  "value": request.GET.get("value", "")})
    status = 200
    if request.method == "POST" and "frequency" in request.POST:
        settings_form = AlertSettingsForm(request.POST, instance=alert_settings)
        if settings_form.is_valid():
            settings_form.save()
            messages.success(request, _("Saved."))
            return redirect("alerts")
        status = 400
    elif request.method == "POST":
        subscription_form = SubscriptionForm(request.POST)
        if subscription_form.is_valid():
            try:
                with transaction.atomic():
                    Subscription.objects.create(user=request.user, checked_at=timezone.now(),
                                                **subscription_form.cleaned_data)
            except IntegrityError:
                messages.info(request, _("You already follow this."))
            else:
                messages.success(request, _("You now follow this. New matches arrive as notifications."))
            return redirect("alerts")
        status = 400
    return render(request, "alerts/alerts.html", {
        "settings_form": settings_form, "subscription_form": subscription_form,
        "subscriptions": request.user.subscriptions.all()}, status=status)


@login_required
@require_POST
def subscription_delete(request, pk):
    get_object_or_404(Subscription, pk=pk, user=request.user).delete()
    messages.success(request, _("You no longer follow this."))
    return redirect("alerts")


# Mail programs post the one-click unsubscribe without a session or CSRF token (RFC 8058); the
# unguessable token in the address is the authorisation, and the only effect is to stop e-mail.
@csrf_exempt
def unsubscribe(request, token):
    alert_settings = get_object_or_404(AlertSettings, unsubscribe_token=token)
    if request.method == "POST":
        alert_settings.frequency = Frequency.NEVER
        alert_settings.save(update_fields=["frequency"])
        return render(request, "alerts/unsubscribed.html")
    return render(request, "alerts/unsubscribe.html", {"token": token})
