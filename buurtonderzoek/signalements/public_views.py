"""Public pages, feeds and printouts of alerts; subscribing and unsubscribing. No login, no personal data.

What may appear here (DOMAIN.md sections 5 and 8): the alert's title and text (approved by the
police), the buurt and gemeente, dates, the tip link, and after the end the afloopbericht instead of
the text. Never witness data, house numbers, images, or a figure about fewer than ten people, so
these pages show no counts at all.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from buurtonderzoek.canvass.actions import ip_hash
from buurtonderzoek.canvass.pdf import qr_svg, render_pdf
from buurtonderzoek.core import ratelimit
from buurtonderzoek.core.clientip import client_ip
from buurtonderzoek.places.models import Buurt, Gemeente
from buurtonderzoek.signalements import actions, drafting
from buurtonderzoek.signalements.forms import SubscribeForm
from buurtonderzoek.signalements.models import Alert, AlertStatus, Subscription

FEED_ITEMS = 50
PAGE_ITEMS = 30
SUBSCRIBE_RATE_LIMIT_PER_HOUR = 10


def _public_alerts() -> QuerySet[Alert]:
    return (
        Alert.objects.public()
        .select_related("buurt", "gemeente", "incident")
        .only(
            "id",
            "public_token",
            "title",
            "text",
            "status",
            "outcome_text",
            "published_at",
            "expires_at",
            "ended_at",
            "buurt__code",
            "buurt__name",
            "gemeente__code",
            "gemeente__name",
            "incident__public_token",
            "incident__status",
        )
        .order_by("-published_at", "-id")
    )


def _tip_url(alert: Alert) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("tip_form", args=[alert.incident.public_token])


@require_GET
def alert_public(request: HttpRequest, token: str) -> HttpResponse:
    alert = _public_alerts().filter(public_token=token).first()
    if alert is None:
        raise Http404(_("Oproep niet gevonden."))
    active = alert.status == AlertStatus.PUBLISHED
    return render(
        request,
        "signalements/alert_public.html",
        {
            "alert": alert,
            "active": active,
            "whatsapp_url": drafting.whatsapp_url(f"{alert.title}\n\n{alert.text}") if active else "",
            "tip_url": _tip_url(alert),
        },
    )


def _area_page(request: HttpRequest, *, buurt: Buurt | None, gemeente: Gemeente) -> HttpResponse:
    alerts = _public_alerts().filter(buurt=buurt) if buurt is not None else _public_alerts().filter(gemeente=gemeente)
    items = list(alerts[:PAGE_ITEMS])
    return render(
        request,
        "signalements/area.html",
        {
            "buurt": buurt,
            "gemeente": gemeente,
            "active": [a for a in items if a.status == AlertStatus.PUBLISHED],
            "ended": [a for a in items if a.status != AlertStatus.PUBLISHED],
            "form": SubscribeForm(buurt=buurt, gemeente=gemeente),
            "feed_url": reverse("buurt_feed", args=[buurt.code])
            if buurt is not None
            else reverse("gemeente_feed", args=[gemeente.code]),
        },
    )


@require_GET
def buurt_page(request: HttpRequest, code: str) -> HttpResponse:
    buurt = get_object_or_404(Buurt.objects.select_related("gemeente"), code=code)
    return _area_page(request, buurt=buurt, gemeente=buurt.gemeente)


@require_GET
def gemeente_page(request: HttpRequest, code: str) -> HttpResponse:
    gemeente = get_object_or_404(Gemeente, code=code)
    return _area_page(request, buurt=None, gemeente=gemeente)


@require_GET
def alert_poster(request: HttpRequest, token: str) -> HttpResponse:
    """The printable "Getuigen gezocht" poster: only while the alert runs."""
    alert = _public_alerts().filter(public_token=token, status=AlertStatus.PUBLISHED).first()
    if alert is None:
        raise Http404(_("Deze oproep loopt niet (meer)."))
    url = _tip_url(alert)
    pdf = render_pdf("signalements/poster.html", {"alert": alert, "tip_url": url, "qr": qr_svg(url)})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="getuigen-gezocht.pdf"'
    return response


# --- feeds -----------------------------------------------------------------------------------------


class _AlertFeed(Feed):  # type: ignore[type-arg]
    feed_type = Atom1Feed

    def items(self, obj: Any) -> QuerySet[Alert]:
        return self.alerts(obj)[:FEED_ITEMS]

    def alerts(self, obj: Any) -> QuerySet[Alert]:
        raise NotImplementedError

    def item_title(self, item: Alert) -> str:
        if item.has_ended:
            return _("Afloop: %(title)s") % {"title": item.title}
        return item.title

    def item_description(self, item: Alert) -> str:
        # Feed readers show this as HTML: escape the text and keep its line breaks.
        return render_to_string("signalements/_feed_item.html", {"alert": item})

    def item_link(self, item: Alert) -> str:
        return reverse("alert_public", args=[item.public_token])

    def item_guid(self, item: Alert) -> str:
        return settings.SITE_URL.rstrip("/") + reverse("alert_public", args=[item.public_token])

    def item_pubdate(self, item: Alert) -> Any:
        return item.published_at

    def item_updateddate(self, item: Alert) -> Any:
        return item.ended_at or item.published_at


class BuurtFeed(_AlertFeed):
    def get_object(self, request: HttpRequest, code: str) -> Buurt:
        return get_object_or_404(Buurt, code=code)

    def title(self, obj: Buurt) -> str:
        return _("Getuigen gezocht in %(buurt)s") % {"buurt": obj.name}

    def link(self, obj: Buurt) -> str:
        return reverse("buurt_alerts", args=[obj.code])

    def subtitle(self, obj: Buurt) -> str:
        return _("Oproepen van het buurtpreventieteam, goedgekeurd door de politie.")

    def alerts(self, obj: Buurt) -> QuerySet[Alert]:
        return _public_alerts().filter(buurt=obj)


class GemeenteFeed(_AlertFeed):
    def get_object(self, request: HttpRequest, code: str) -> Gemeente:
        return get_object_or_404(Gemeente, code=code)

    def title(self, obj: Gemeente) -> str:
        return _("Getuigen gezocht in gemeente %(gemeente)s") % {"gemeente": obj.name}

    def link(self, obj: Gemeente) -> str:
        return reverse("gemeente_alerts", args=[obj.code])

    def subtitle(self, obj: Gemeente) -> str:
        return _("Oproepen van buurtpreventieteams, goedgekeurd door de politie.")

    def alerts(self, obj: Gemeente) -> QuerySet[Alert]:
        return _public_alerts().filter(gemeente=obj)


# --- subscriptions ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest, code: str) -> HttpResponse:
    """Subscribe to a buurt (code BU...) or a gemeente (GM...)."""
    if code.upper().startswith("BU"):
        buurt: Buurt | None = get_object_or_404(Buurt.objects.select_related("gemeente"), code=code)
        assert buurt is not None
        gemeente = buurt.gemeente
    else:
        buurt, gemeente = None, get_object_or_404(Gemeente, code=code)
    # Bound on every POST, also an empty one: an empty form must say what is missing.
    form = SubscribeForm(request.POST if request.method == "POST" else None, buurt=buurt, gemeente=gemeente)
    status = 200
    if request.method == "POST":
        bucket = f"subscribe:{ip_hash(client_ip(request))}"
        too_many = _("Te veel aanmeldingen vanaf dit adres. Probeer het over een uur opnieuw.")
        if ratelimit.exhausted(bucket, limit=SUBSCRIBE_RATE_LIMIT_PER_HOUR):
            status = 429
            form.add_error(None, too_many)
        elif form.is_spam:
            ratelimit.consume(bucket, limit=SUBSCRIBE_RATE_LIMIT_PER_HOUR, window=3600)
            return redirect("subscription_sent")
        elif form.is_valid():
            if not ratelimit.consume(bucket, limit=SUBSCRIBE_RATE_LIMIT_PER_HOUR, window=3600):
                status = 429
                form.add_error(None, too_many)
            else:
                actions.subscribe(form.cleaned_data["email"], language=get_language() or "", **form.chosen_area())
                # The same answer whether the address was new, pending or already confirmed.
                return redirect("subscription_sent")
    return render(
        request, "signalements/subscribe.html", {"form": form, "buurt": buurt, "gemeente": gemeente}, status=status
    )


@require_GET
def subscription_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "signalements/subscription_sent.html")


def _subscription(pk: int, token: str) -> Subscription | None:
    subscription = Subscription.objects.select_related("buurt", "gemeente").filter(pk=pk).first()
    if subscription is None or not subscription.token_matches(token):
        return None
    return subscription


@require_http_methods(["GET", "POST"])
def subscription_confirm(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """GET shows a button and POST confirms: a mail scanner that opens links cannot confirm for someone."""
    subscription = _subscription(pk, token)
    if subscription is None:
        return render(request, "signalements/subscription_invalid.html", status=404)
    if request.method == "POST":
        actions.confirm_subscription(subscription)
    return render(request, "signalements/subscription_confirm.html", {"subscription": subscription})


@csrf_exempt  # RFC 8058 one-click: mail clients POST without a CSRF token; the HMAC token is the secret.
@require_http_methods(["GET", "POST"])
def subscription_unsubscribe(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """One click: following the link (or the mail client's List-Unsubscribe POST) unsubscribes at once."""
    subscription = _subscription(pk, token)
    area: dict[str, Any] = {}
    if subscription is not None:
        area = {
            "buurt": subscription.buurt,
            "gemeente": subscription.gemeente or getattr(subscription.buurt, "gemeente", None),
        }
        actions.unsubscribe(subscription)
    return render(
        request, "signalements/unsubscribed.html", {"found": subscription is not None, "at": timezone.now(), **area}
    )
