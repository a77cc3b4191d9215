"""The requirement library: everyone in a buyer role reads it, Inköp keeps it, and a CSV
file is checked before anything is imported."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kravspar.audit.models import AuditEvent
from kravspar.requirements.forms import MAX_IMPORT_BYTES
from kravspar.requirements.models import RequirementTemplate

LIBRARY = reverse("requirements:library")
CREATE = reverse("requirements:create")
IMPORT = reverse("requirements:import")

HEADER = "title;type;text;level;verified_when;binds_subcontractors;aims;source\n"
GOOD_CSV = (
    HEADER
    + "Fossilfria transporter;environment;Fordon drivs med fossilfritt bränsle.;avancerad;after_contract;nej;3;UHM\n"
    + "Sociala villkor i tvätteriet;social;Regionernas uppförandekod gäller.;bas;both;ja;3 4;Regionerna\n"
)


def titles(response):
    return [t.title for t in response.context["page"].object_list]


def csv_file(content, name="krav.csv", content_type="text/csv"):
    data = content.encode() if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type=content_type)


def template_post(**changes):
    data = {
        "title": "Kemikalier enligt REACH",
        "type": "environment",
        "text": "Inga ämnen från kandidatförteckningen.",
        "level": "bas",
        "criterion_ref": "",
        "criterion_version": "",
        "evidence": "Säkerhetsdatablad.",
        "verified_when": "both",
        "aims": ["3"],
        "source": "Upphandlingsmyndigheten",
    }
    return data | changes


def test_search_and_type_filter(world, client_for):
    RequirementTemplate.objects.create(title="Ägg från frigående höns", type="animal_welfare", text="Frigående.")
    client = client_for(world.orderer_vm)  # every buyer role reads the library
    response = client.get(LIBRARY, {"q": "frigående"})
    assert titles(response) == ["Ägg från frigående höns"]
    animal = titles(client.get(LIBRARY, {"type": "animal_welfare"}))
    assert "Ägg från frigående höns" in animal
    assert all(t.type == "animal_welfare" for t in client.get(LIBRARY, {"type": "animal_welfare"}).context["page"])
    assert CREATE.encode() not in client.get(LIBRARY).content


def test_htmx_and_pagination(world, client_for, django_assert_max_num_queries):
    for n in range(40):
        RequirementTemplate.objects.create(title=f"Krav {n:02d}", type="quality", text="Text.")
    client = client_for(world.officer)
    partial = client.get(LIBRARY, {"type": "quality"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content
    with django_assert_max_num_queries(8):
        page2 = client.get(LIBRARY, {"type": "quality", "sida": "2"})
    assert page2.context["page"].number == 2


def test_inactive_templates_are_hidden_unless_asked_for(world, client_for):
    RequirementTemplate.objects.create(title="Gammalt krav", type="quality", text="x", is_active=False)
    client = client_for(world.officer)
    assert "Gammalt krav" not in titles(client.get(LIBRARY, {"q": "gammalt"}))
    assert titles(client.get(LIBRARY, {"q": "gammalt", "status": "inactive"})) == ["Gammalt krav"]


def test_who_may_change_the_library(world, client_for):
    orderer = client_for(world.orderer_vm)
    assert orderer.get(CREATE).status_code == 403
    assert orderer.get(IMPORT).status_code == 403
    template = RequirementTemplate.objects.first()
    assert orderer.get(reverse("requirements:detail", args=[template.uuid])).status_code == 200
    assert orderer.get(reverse("requirements:edit", args=[template.uuid])).status_code == 403
    supplier = client_for(world.supplier_contact)
    assert supplier.get(LIBRARY).status_code == 403
    assert supplier.get(reverse("requirements:detail", args=[template.uuid])).status_code == 403
    assert client_for(world.officer).get(reverse("requirements:detail", args=["nope"])).status_code == 404


def test_create_and_edit_a_template(world, client_for):
    client = client_for(world.officer)
    response = client.post(CREATE, template_post())
    assert response.status_code == 302, response.context["form"].errors
    template = RequirementTemplate.objects.get(title="Kemikalier enligt REACH")
    assert template.aims == [3] and template.is_active
    edit = reverse("requirements:edit", args=[template.uuid])
    initial = client.get(edit).context["form"].initial
    response = client.post(edit, template_post(version=initial["version"], is_active="", level="avancerad"))
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.level == "avancerad" and not template.is_active
    assert set(AuditEvent.objects.filter(object_id=str(template.uuid)).values_list("action", flat=True)) == {
        "library.created",
        "library.updated",
    }
    # Someone else saved in between: explained, not overwritten.
    stale = client.post(edit, template_post(version=initial["version"], text="Annan text."))
    assert stale.status_code == 400 and stale.context["form"].non_field_errors()


def test_a_duplicate_title_is_refused(world, client_for):
    client = client_for(world.officer)
    client.post(CREATE, template_post())
    response = client.post(CREATE, template_post(title="kemikalier enligt reach"))
    assert response.status_code == 400 and "title" in response.context["form"].errors


# --- CSV import -------------------------------------------------------------------------


def test_import_checks_first_then_imports(world, client_for):
    # Matching is by title, case-insensitively: the seeded library has neither of these.
    client = client_for(world.officer)
    assert client.get(IMPORT).status_code == 200
    before = RequirementTemplate.objects.count()
    checked = client.post(IMPORT, {"file": csv_file(GOOD_CSV)})
    assert checked.status_code == 200
    assert checked.context["checked"]["created"] == 2 and checked.context["checked"]["updated"] == 0
    assert RequirementTemplate.objects.count() == before  # a dry run changes nothing
    response = client.post(IMPORT, {"token": checked.context["token"]})
    assert response.status_code == 302
    assert RequirementTemplate.objects.count() == before + 2
    assert RequirementTemplate.objects.get(title="Sociala villkor i tvätteriet").aims == [3, 4]
    # The same file again updates what exists.
    again = client.post(IMPORT, {"file": csv_file(GOOD_CSV)})
    assert again.context["checked"]["created"] == 0 and again.context["checked"]["updated"] == 2


def test_a_malformed_file_lists_the_rows_and_imports_nothing(world, client_for):
    bad = (
        HEADER
        + "Utan typ;;Text.;;;;;\n"
        + "Fel nivå;quality;Text.;hög;after_contract;;;\n"
        + "Bra;quality;Text.;;;;;\n"
    )
    before = RequirementTemplate.objects.count()
    response = client_for(world.officer).post(IMPORT, {"file": csv_file(bad)})
    assert response.status_code == 400
    errors = response.context["row_errors"]
    assert len(errors) == 2
    assert "2" in errors[0] and "3" in errors[1]
    assert RequirementTemplate.objects.count() == before


def test_a_file_without_the_columns_or_not_utf8(world, client_for):
    client = client_for(world.officer)
    response = client.post(IMPORT, {"file": csv_file("namn,beskrivning\nx,y\n")})
    assert response.status_code == 400 and response.context["row_errors"]
    response = client.post(IMPORT, {"file": csv_file("title;type;text\nK\xf6tt;quality;x\n".encode("latin-1"))})
    assert response.status_code == 400 and response.context["row_errors"]


def test_only_csv_files_up_to_one_megabyte(world, client_for):
    client = client_for(world.officer)
    response = client.post(
        IMPORT, {"file": csv_file(GOOD_CSV, name="krav.xlsx", content_type="application/vnd.ms-excel")}
    )
    assert response.status_code == 400 and "file" in response.context["form"].errors
    big = GOOD_CSV + ("x" * (MAX_IMPORT_BYTES + 1))
    response = client.post(IMPORT, {"file": csv_file(big)})
    assert response.status_code == 400 and "file" in response.context["form"].errors
    response = client.post(IMPORT, {})
    assert response.status_code == 400 and "file" in response.context["form"].errors


def test_a_changed_token_is_refused(world, client_for):
    client = client_for(world.officer)
    checked = client.post(IMPORT, {"file": csv_file(GOOD_CSV)})
    before = RequirementTemplate.objects.count()
    response = client.post(IMPORT, {"token": checked.context["token"] + "x"})
    assert response.status_code == 400 and response.context["row_errors"]
    assert RequirementTemplate.objects.count() == before
