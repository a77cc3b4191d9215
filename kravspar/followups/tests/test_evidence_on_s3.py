"""Evidence on shared S3-compatible storage (KRAVSPAR_S3_BUCKET), against a real S3 server
process on loopback (moto's server mode): the upload lands in the bucket, the download goes
through Kravspår's access check, and a failed upload leaves neither object nor record."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import DatabaseError
from django.urls import reverse

from kravspar.followups import uploads
from kravspar.followups.models import Evidence
from kravspar.followups.tests.test_views import PDF, upload
from kravspar.testing.servers import S3, s3_server

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def s3() -> Iterator[S3]:
    with s3_server() as server:
        yield server


@pytest.fixture
def on_s3(s3: S3, settings: Any) -> S3:
    settings.STORAGES = {**settings.STORAGES, "default": s3.storage_options()}
    for key in s3.object_keys():  # each test starts from an empty bucket
        s3.client().delete_object(Bucket=s3.bucket, Key=key)  # type: ignore[attr-defined]
    return s3


def test_evidence_is_stored_in_the_bucket_and_served_after_the_access_check(
    world: Any, client_for: Any, quality_activity: Any, on_s3: S3
) -> None:
    client = client_for(world.orderer_vm)
    assert upload(client, quality_activity, "protokoll.pdf", PDF).status_code == 302
    evidence = Evidence.objects.get()
    assert on_s3.object_keys() == [evidence.file.name]
    url = reverse("followups:evidence_download", args=[quality_activity.uuid, evidence.uuid])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    # Another region's orderer reaches neither the record nor, through it, the object.
    assert client_for(world.orderer_sl).get(url).status_code == 404


def test_an_upload_the_bucket_refuses_leaves_no_record(
    world: Any, client_for: Any, quality_activity: Any, on_s3: S3, settings: Any
) -> None:
    missing = on_s3.storage_options()
    missing["OPTIONS"]["bucket_name"] = "no-such-bucket"  # type: ignore[index]
    settings.STORAGES = {**settings.STORAGES, "default": missing}
    with pytest.raises(Exception, match="NoSuchBucket"):
        upload(client_for(world.orderer_vm), quality_activity, "protokoll.pdf", PDF)
    assert not Evidence.objects.exists()
    assert on_s3.object_keys() == []


def test_a_record_that_fails_to_save_leaves_no_object(
    world: Any, client_for: Any, quality_activity: Any, on_s3: S3, monkeypatch: Any
) -> None:
    def broken(**kwargs: Any) -> None:
        raise DatabaseError("the database went away")

    monkeypatch.setattr(uploads, "audit_record", broken)
    with pytest.raises(DatabaseError):
        upload(client_for(world.orderer_vm), quality_activity, "protokoll.pdf", PDF)
    assert not Evidence.objects.exists()
    assert on_s3.object_keys() == []
