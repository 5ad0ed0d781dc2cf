"""Links to files elsewhere: read them, keep a copy of each change, and say when they break.

A link is read when it is added and then daily. When the file behind it has changed, the copy
becomes a new immutable version (read into tables like an upload), so the data API and the
history keep working when the other site changes or goes away. A page that is not a data
file (an HTML landing page) is only checked for an answer.
"""

from __future__ import annotations

import mimetypes
import tempfile
from dataclasses import dataclass
from email.message import Message
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agora.catalog.models import Resource
from agora.catalog.services import RESOURCE_KINDS, _add_version, _after_resource_change, _discard
from agora.core.errors import Conflict
from agora.core.fetch import Fetched, FetchError, fetch
from agora.core.uploads import UploadRejected, validate_upload


@dataclass(frozen=True)
class RemoteCheck:
    outcome: str  # "new_version", "unchanged", "not_a_file" or "unreachable"
    detail: str = ""


def _filename(fetched: Fetched, resource: Resource) -> str:
    """The name the server gives, else the address's last segment with an extension from the
    media type or, failing that, from the format the publisher declared."""
    disposition = Message()
    disposition["content-disposition"] = fetched.headers.get("content-disposition", "")
    name = disposition.get_filename() or unquote(PurePosixPath(urlsplit(fetched.url).path).name)
    name = PurePosixPath(name.replace("\\", "/")).name or "file"
    if "." not in name:
        media_type = fetched.headers.get("content-type", "").split(";")[0].strip()
        declared = f".{resource.format.lower()}" if resource.format else ""
        name += mimetypes.guess_extension(media_type) or declared
    return name


def _conditional_headers(resource: Resource) -> dict[str, str]:
    headers = {}
    if resource.remote_etag:
        headers["If-None-Match"] = resource.remote_etag
    if resource.remote_last_modified:
        headers["If-Modified-Since"] = resource.remote_last_modified
    return headers


def _record_check(resource: Resource, check: RemoteCheck, fetched: Fetched | None) -> RemoteCheck:
    resource.checked = timezone.now()
    resource.reachable = check.outcome != "unreachable"
    resource.check_detail = check.detail[:300]
    fields = ["checked", "reachable", "check_detail"]
    if fetched is not None and check.outcome in ("new_version", "unchanged"):
        resource.remote_etag = fetched.headers.get("etag", "")[:200]
        resource.remote_last_modified = fetched.headers.get("last-modified", "")[:100]
        fields += ["remote_etag", "remote_last_modified"]
    Resource.objects.filter(pk=resource.pk).update(**{f: getattr(resource, f) for f in fields})
    return check


def remote_resource_check(resource_id: str) -> RemoteCheck:
    """Reads one link; a changed file becomes a new version. Never raises for the link's sake."""
    resource = Resource.objects.select_related("dataset__organisation").get(pk=resource_id)
    if not resource.remote_url:
        return RemoteCheck("not_a_file")
    latest = resource.versions.order_by("-number").first()
    headers = _conditional_headers(resource) if latest is not None else {}
    with tempfile.TemporaryFile(dir=settings.FILE_UPLOAD_TEMP_DIR) as body:
        try:
            fetched = fetch(resource.remote_url, into=body, headers=headers)
        except FetchError as exc:
            return _record_check(resource, RemoteCheck("unreachable", str(exc)), None)
        if fetched.not_modified or (latest is not None and latest.sha256 == fetched.sha256):
            return _record_check(resource, RemoteCheck("unchanged"), fetched)
        upload = UploadedFile(
            body,
            name=_filename(fetched, resource),
            content_type=fetched.headers.get("content-type", ""),
            size=fetched.size,
        )
        try:
            validate_upload(upload, kinds=RESOURCE_KINDS)
        except UploadRejected as exc:
            return _record_check(resource, RemoteCheck("not_a_file", str(exc)), fetched)
        try:
            number = _keep_copy(resource, upload)
        except Conflict:  # the same file was kept meanwhile by another reading
            return _record_check(resource, RemoteCheck("unchanged"), fetched)
    detail = _("Version %(number)d kept.") % {"number": number}
    return _record_check(resource, RemoteCheck("new_version", detail), fetched)


@transaction.atomic
def _keep_copy(resource: Resource, upload: UploadedFile[bytes]) -> int:
    # Serialises with uploads and other readings, so that version numbers are gapless.
    Resource.objects.select_for_update().filter(pk=resource.pk).first()
    version = _add_version(None, resource, upload)
    try:
        _after_resource_change(
            None, resource.dataset, resource, version, "catalog.resource.version_fetch"
        )
    except BaseException:
        _discard(version)
        raise
    return version.number
