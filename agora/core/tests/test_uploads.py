from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agora.core.uploads import UploadRejected, validate_upload


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_accepts_matching_name_and_content() -> None:
    assert validate_upload(upload("budget.csv", b"a;b\n1;2\n"), kinds={"csv", "pdf"}) == "csv"
    assert validate_upload(upload("report.PDF", b"%PDF-1.7 ..."), kinds={"csv", "pdf"}) == "pdf"
    assert validate_upload(upload("t.csv", "a,b\n".encode("utf-16")), kinds={"csv"}) == "csv"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("data.csv", b"PK\x03\x04 a zip renamed .csv"),
        ("data.csv", b"%PDF-1.4 a pdf renamed .csv"),
        ("data.csv", b"\x00\x01\x02binary\x00junk"),
        ("photo.png", b"not a png at all"),
        ("script.exe", b"MZ\x90\x00"),
        ("noextension", b"a,b\n"),
    ],
)
def test_refuses_mismatched_or_unknown_files(name: str, content: bytes) -> None:
    with pytest.raises(UploadRejected, match="not accepted"):
        validate_upload(upload(name, content), kinds={"csv", "png", "pdf"})


def test_size_limits() -> None:
    with pytest.raises(UploadRejected, match="empty"):
        validate_upload(upload("a.csv", b""), kinds={"csv"})
    with pytest.raises(UploadRejected, match="limit"):
        validate_upload(upload("a.csv", b"x" * 2048), kinds={"csv"}, max_size=1024)


def test_only_registered_upload_addresses_take_large_bodies(settings) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client

    from agora.core import uploads

    settings.MAX_REQUEST_SIZE = 1000
    settings.MAX_UPLOAD_SIZE = 10_000
    body = "x" * 5000
    client = Client()
    assert client.post("/search/", body, content_type="text/plain").status_code == 413
    uploads.register_upload_path(r"^/test-upload/")
    try:
        assert uploads.upload_limit("/test-upload/x") == 10_000
        # Past the size check, the address itself does not exist.
        assert client.post("/test-upload/x", body, content_type="text/plain").status_code == 404
        assert (
            client.post("/test-upload/x", "x" * 20_000, content_type="text/plain").status_code
            == 413
        )
    finally:
        uploads._upload_paths.pop()
