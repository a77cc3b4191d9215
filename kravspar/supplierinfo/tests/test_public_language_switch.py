"""The header's language button on the public supplier page leads to the other language's
address, since each address is fixed to one language."""

from django.urls import reverse


def test_the_language_button_leads_to_the_other_address(db, client):
    swedish = client.get(reverse("supplierinfo:public")).content.decode()
    assert 'name="language" value="en"' in swedish
    assert f'name="next" type="hidden" value="{reverse("supplierinfo:public_en")}"' in swedish
    english = client.get(reverse("supplierinfo:public_en")).content.decode()
    assert 'name="language" value="sv"' in english
    assert f'name="next" type="hidden" value="{reverse("supplierinfo:public")}"' in english


def test_other_pages_keep_their_own_address(db, client):
    page = client.get(reverse("accounts:login") + "?next=/avtal/").content.decode()
    assert 'name="next" type="hidden" value="/logga-in/?next=/avtal/"' in page
