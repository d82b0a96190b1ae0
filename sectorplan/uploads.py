"""Uploaded documents (R50): what a file is, recognised by its content; its size; its SHA-256; and the virus
scan when a scanner is configured. The one place every upload of evidence or agreements goes through.

- **Type** by content, never by the name: `filetype` reads the magic bytes (PDF, JPEG, PNG).
- **Size**: at most :data:`MAX_DOCUMENT_BYTES` (10 MB): beyond, 413 (``PayloadTooLarge``); only one byte more
  than the limit is ever read.
- **Virus scan**: with ``CLAMD_SOCKET`` (a UNIX socket) or ``CLAMD_HOST``/``CLAMD_PORT`` set, the content is
  streamed to clamd (INSTREAM, through `clamav-client`) before anything is stored. A virus is a 400 on the field
  (``virus_found``); a scanner that does not answer refuses the upload with a 503 (fail closed: an unscanned
  file is never accepted while a scanner is configured). Without a scanner configured, files are not scanned
  (development; production settings should configure one).
"""

import hashlib
import io
import logging
from dataclasses import dataclass

import filetype
from clamav_client.clamd import ClamdError, ClamdNetworkSocket, ClamdUnixSocket
from django.conf import settings
from django.utils.translation import gettext as _

from .api.errors import DomainError, PayloadTooLarge, ServiceUnavailable

logger = logging.getLogger(__name__)

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024

#: The kinds of document R50 accepts, by the extension `filetype` recognises, with their media type.
DOCUMENT_KINDS = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}
KIND_LABELS = {"pdf": "PDF", "jpg": "JPEG", "png": "PNG"}


@dataclass(frozen=True)
class CheckedDocument:
    content: bytes
    kind: str  # "pdf", "jpg" or "png"
    media_type: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def _read_limited(upload) -> bytes:
    if getattr(upload, "size", None) is not None and upload.size > MAX_DOCUMENT_BYTES:
        raise PayloadTooLarge(_("A document may be at most 10 MB."))
    content = upload.read(MAX_DOCUMENT_BYTES + 1)
    if len(content) > MAX_DOCUMENT_BYTES:
        raise PayloadTooLarge(_("A document may be at most 10 MB."))
    return content


def scanner():
    """The configured clamd client, or None when no scanner is configured."""
    timeout = settings.CLAMD_TIMEOUT
    if settings.CLAMD_SOCKET:
        return ClamdUnixSocket(path=settings.CLAMD_SOCKET, timeout=timeout)
    if settings.CLAMD_HOST:
        return ClamdNetworkSocket(host=settings.CLAMD_HOST, port=settings.CLAMD_PORT, timeout=timeout)
    return None


def virus_scan(content: bytes, *, field: str) -> None:
    """R50: refuse ``content`` when clamd finds a virus (400 on ``field``) or cannot scan it (503)."""
    client = scanner()
    if client is None:
        return
    try:
        result = client.instream(io.BytesIO(content))
    except (ClamdError, OSError) as exc:
        logger.error("virus scanner unavailable: %s", type(exc).__name__)
        raise ServiceUnavailable(_("The virus scanner does not answer; nothing has been saved. Please try again later.")) from exc
    status, signature = next(iter(result.values()), ("ERROR", None))
    if status == "FOUND":
        logger.warning("upload refused: virus %s", signature)
        raise DomainError(field=field, code="virus_found", message=_("The file contains a virus and has not been accepted."))
    if status != "OK":
        raise ServiceUnavailable(_("The virus scanner could not scan the file; nothing has been saved. Please try again later."))


def check_document(upload, *, field: str, kinds=tuple(DOCUMENT_KINDS)) -> CheckedDocument:
    """R50: the uploaded file ``upload`` as a checked document of one of ``kinds``, or a clear error naming
    ``field``: required, at most 10 MB (413), of an accepted kind by content, free of viruses."""
    if upload is None:
        raise DomainError(field=field, code="required", message=_("This file is required."))
    content = _read_limited(upload)
    guessed = filetype.guess(content)
    kind = guessed.extension if guessed is not None else None
    if kind not in kinds:
        raise DomainError(
            field=field, code="invalid_type",
            message=_("The file is not a %(kinds)s document (recognised by its content, not its name).")
            % {"kinds": _(" or ").join(KIND_LABELS[k] for k in kinds)},
        )
    virus_scan(content, field=field)
    return CheckedDocument(
        content=content, kind=kind, media_type=DOCUMENT_KINDS[kind], sha256=hashlib.sha256(content).hexdigest()
    )
