"""The Atom feed of document changes: one entry per published version, newest first,
so a supplier's feed reader tells them when the policy, a guideline or the code of
conduct changes. Always in Swedish, the language the documents are published in."""

from __future__ import annotations

import datetime

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from kravspar.supplierinfo.models import PolicyDocumentVersion

FEED_ITEMS = 50


class DocumentFeed(Feed):
    feed_type = Atom1Feed

    def __call__(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        with translation.override("sv"):
            return super().__call__(request, *args, **kwargs)

    def title(self) -> str:
        return _("Documents for suppliers – Region Sörmland and Region Västmanland")

    def subtitle(self) -> str:
        return _("New versions of the purchasing policy, its guidelines and the code of conduct.")

    def link(self) -> str:
        return reverse("supplierinfo:public")

    def feed_guid(self) -> str:
        return "urn:kravspar:supplierinfo:documents"

    def items(self) -> QuerySet[PolicyDocumentVersion]:
        return (
            PolicyDocumentVersion.objects.filter(document__withdrawn_at__isnull=True)
            .select_related("document")
            .order_by("-published_at", "-id")[:FEED_ITEMS]
        )

    def item_title(self, item: PolicyDocumentVersion) -> str:
        return _("%(document)s, version %(label)s") % {"document": item.document.title, "label": item.label}

    def item_description(self, item: PolicyDocumentVersion) -> str:
        valid = _("Valid from %(date)s.") % {"date": item.valid_from.isoformat()}
        parts = [item.change_note, valid] if item.change_note else [item.document.description, valid]
        return " ".join(p for p in parts if p)

    def item_link(self, item: PolicyDocumentVersion) -> str:
        if item.is_link:
            return item.url
        return reverse("supplierinfo:download", args=[item.document.uuid, item.uuid])

    def item_guid(self, item: PolicyDocumentVersion) -> str:
        return f"urn:uuid:{item.uuid}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: PolicyDocumentVersion) -> datetime.datetime:
        return item.published_at

    def item_updateddate(self, item: PolicyDocumentVersion) -> datetime.datetime:
        return item.published_at

    def item_categories(self, item: PolicyDocumentVersion) -> list[str]:
        return [str(item.document.get_kind_display())]
