"""The CPV pages: the browse page with its search, and the options of the autocomplete."""

from django.urls import reverse

BROWSE = reverse("cpv:browse")
OPTIONS = reverse("cpv:search")


def test_anonymous_people_are_sent_to_log_in(db, client):
    for url in (BROWSE, f"{OPTIONS}?q=kött"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_options_are_a_fragment_listing_code_and_label(world, client_for):
    response = client_for(world.orderer_vm).get(OPTIONS, {"q": "köttprodukter"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert 'role="listbox"' in html
    assert 'role="option"' in html
    assert 'data-code="15100000"' in html
    assert "Animaliska livsmedel, kött och köttprodukter" in html


def test_options_follow_the_language(world, client_for):
    client = client_for(world.orderer_vm)
    assert "Animaliska livsmedel" in client.get(OPTIONS, {"q": "15100000-9"}).content.decode()
    client.cookies["django_language"] = "en"  # the language switch
    response = client.get(OPTIONS, {"q": "15100000-9"})
    assert "Animal products, meat and meat products" in response.content.decode()


def test_options_say_when_nothing_matches_and_stay_empty_without_a_query(world, client_for):
    client = client_for(world.orderer_vm)
    assert "finnsinte" in client.get(OPTIONS, {"q": "finnsinte"}).content.decode()
    assert client.get(OPTIONS).content.decode().strip() == ""


def test_options_are_capped_and_say_there_are_more(world, client_for):
    response = client_for(world.orderer_vm).get(OPTIONS, {"q": "3"})
    assert len(response.context["results"]) == 20
    assert response.context["more"]


def test_browse_page_without_a_query_says_what_to_type_and_lists_the_divisions(world, client_for):
    response = client_for(world.orderer_vm).get(BROWSE)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="search"' in html
    assert '<label for="id_q"' in html
    assert "1510" in html  # the example in the empty state
    assert len(response.context["divisions"]) == 45
    assert f'href="{BROWSE}?q=15"' in html


def test_browse_page_lists_matches_and_links_to_narrower_codes(world, client_for):
    response = client_for(world.orderer_vm).get(BROWSE, {"q": "kött"})
    html = response.content.decode()
    assert "<table" in html
    assert f'href="{BROWSE}?q=151"' in html
    assert not response.context["more"]


def test_browse_search_with_htmx_returns_only_the_results(world, client_for):
    response = client_for(world.orderer_vm).get(BROWSE, {"q": "151"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert "15100000" in html


def test_a_too_long_query_is_explained_not_searched(world, client_for):
    response = client_for(world.orderer_vm).get(BROWSE, {"q": "x" * 101})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["results"] == []


def test_only_get(world, client_for):
    assert client_for(world.orderer_vm).post(OPTIONS, {"q": "kött"}).status_code == 405


def test_query_count_does_not_grow_with_the_matches(world, client_for, django_assert_max_num_queries):
    client = client_for(world.orderer_vm)
    with django_assert_max_num_queries(4):
        client.get(OPTIONS, {"q": "3"})
    with django_assert_max_num_queries(4):
        client.get(BROWSE, {"q": "3"})
    with django_assert_max_num_queries(4):
        client.get(BROWSE)
