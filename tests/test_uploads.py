"""R50: documents recognised by content, at most 10 MB, and scanned by ClamAV when a scanner is configured.

No clamd with a signature database can be installed on the test machine (Debian's clamav-daemon needs
freshclam to download signatures, and only package registries are reachable), so the scanner tests fake
only the socket: a UNIX-socket server that speaks clamd's INSTREAM protocol and reports the EICAR test
string as clamd does. Everything on our side (settings, the clamav-client library, the stream, the answer)
is the real path."""

import socket
import struct
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sectorplan.api.errors import DomainError, PayloadTooLarge, ServiceUnavailable
from sectorplan.uploads import MAX_DOCUMENT_BYTES, check_document

PDF = b"%PDF-1.4\n% a tiny test document\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20
#: The EICAR anti-virus test file (harmless by design; every scanner reports it).
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def upload(content, name="bewijs.pdf"):
    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize(("content", "kind"), [(PDF, "pdf"), (PNG, "png"), (JPEG, "jpg")])
def test_documents_are_recognised_by_their_content_not_their_name_R50(content, kind):
    checked = check_document(upload(content, name="scan.txt"), field="file")
    assert checked.kind == kind and len(checked.sha256) == 64


def test_a_text_file_named_pdf_is_refused_naming_the_field_R50():
    with pytest.raises(DomainError) as caught:
        check_document(upload(b"just text, not a PDF", name="contract.pdf"), field="signedAgreement")
    assert caught.value.errors[0]["field"] == "signedAgreement" and caught.value.errors[0]["code"] == "invalid_type"


def test_a_document_over_10_mb_is_413_R50():
    with pytest.raises(PayloadTooLarge):
        check_document(upload(PDF + b"0" * (MAX_DOCUMENT_BYTES - len(PDF) + 1)), field="file")
    assert check_document(upload(PDF + b"0" * (MAX_DOCUMENT_BYTES - len(PDF))), field="file").size == MAX_DOCUMENT_BYTES


class FakeClamd:
    """A clamd stand-in on a UNIX socket: reads ``nINSTREAM\\n`` and the length-prefixed chunks, answers like
    clamd (``stream: Eicar-Signature FOUND`` / ``stream: OK``)."""

    def __init__(self, path):
        self.path = path
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(path)
        self.server.listen(4)
        self.scanned: list[bytes] = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                stream = conn.makefile("rb")
                assert stream.readline() == b"nINSTREAM\n"
                data = b""
                while True:
                    (size,) = struct.unpack("!L", stream.read(4))
                    if not size:
                        break
                    data += stream.read(size)
                self.scanned.append(data)
                answer = b"stream: Eicar-Signature FOUND\n" if EICAR in data else b"stream: OK\n"
                conn.sendall(answer)

    def close(self):
        self.server.close()


@pytest.fixture
def clamd(settings, tmp_path):
    fake = FakeClamd(str(tmp_path / "clamd.ctl"))
    settings.CLAMD_SOCKET = fake.path
    yield fake
    fake.close()


def test_the_eicar_test_file_is_refused_by_the_configured_scanner_R50(clamd):
    with pytest.raises(DomainError) as caught:
        check_document(upload(PDF + EICAR), field="file")
    assert caught.value.errors[0]["code"] == "virus_found"
    assert clamd.scanned == [PDF + EICAR]  # the whole content went through the socket


def test_a_clean_document_passes_the_scanner_R50(clamd):
    assert check_document(upload(PDF), field="file").kind == "pdf"
    assert clamd.scanned == [PDF]


def test_a_scanner_that_does_not_answer_refuses_the_upload_503_R50(settings, tmp_path):
    settings.CLAMD_SOCKET = str(tmp_path / "nobody-listens.ctl")
    with pytest.raises(ServiceUnavailable):
        check_document(upload(PDF), field="file")


def test_without_a_scanner_configured_nothing_is_scanned_R50(settings):
    settings.CLAMD_SOCKET = settings.CLAMD_HOST = ""
    assert check_document(upload(PDF + EICAR), field="file").kind == "pdf"
