"""Suppliers read whose purchasing function they deal with: "Region Sörmland/Inköp"."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from kravspar.organisations.selectors import purchasing_name


def test_the_purchasing_function_is_named_with_its_region(world: Any) -> None:
    assert purchasing_name() == "Region Sörmland/Inköp"
    world.inkop.is_active = False
    world.inkop.save()
    assert purchasing_name() == "Inköp"


def test_the_portal_header_and_pages_name_the_region_with_inkop(world: Any, client_for: Any) -> None:
    page = client_for(world.supplier_contact).get(reverse("portal:declarations")).content.decode()
    assert '<span class="brand-buyer">Region Sörmland/Inköp</span>' in page
    assert "Region Sörmland/Inköp granskar varje deklaration." in page


def test_buyer_staff_see_no_buyer_label_in_the_header(world: Any, client_for: Any) -> None:
    page = client_for(world.officer).get(reverse("core:home")).content.decode()
    assert "brand-buyer" not in page
