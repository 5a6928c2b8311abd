"""What a workshop's attached file really is, from its content (never from its name).

Pure module: takes the first bytes of a file (and, for zip-based formats, a seekable
binary file), returns a known kind or None. Executables are recognised so that they can
be refused with a precise message.
"""

import zipfile
from dataclasses import dataclass
from typing import BinaryIO

# Enough to read every signature below.
HEAD_SIZE = 64
MAX_SIZE = 20 * 1024 * 1024  # 20 MiB


@dataclass(frozen=True)
class Kind:
    label: str  # shown to people: "PDF", "image PNG"…
    mime: str
    extension: str


PDF = Kind("PDF", "application/pdf", "pdf")
PNG = Kind("image PNG", "image/png", "png")
JPEG = Kind("image JPEG", "image/jpeg", "jpg")
GIF = Kind("image GIF", "image/gif", "gif")
WEBP = Kind("image WebP", "image/webp", "webp")
ODT = Kind("texte OpenDocument", "application/vnd.oasis.opendocument.text", "odt")
ODS = Kind("tableur OpenDocument", "application/vnd.oasis.opendocument.spreadsheet", "ods")
ODP = Kind("présentation OpenDocument", "application/vnd.oasis.opendocument.presentation", "odp")
DOCX = Kind(
    "document Word",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "docx",
)
XLSX = Kind(
    "classeur Excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xlsx",
)
PPTX = Kind(
    "présentation PowerPoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pptx",
)

ACCEPTED = (PDF, PNG, JPEG, GIF, WEBP, ODT, ODS, ODP, DOCX, XLSX, PPTX)

_OPENDOCUMENT = {kind.mime: kind for kind in (ODT, ODS, ODP)}
_OFFICE_XML = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}

# Signatures of programs: Windows (MZ), Linux (ELF), macOS (Mach-O, fat binaries),
# scripts with a shebang, Java classes.
_EXECUTABLE_SIGNATURES = (
    b"MZ",
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"#!",
)


def is_executable(head: bytes) -> bool:
    return head.startswith(_EXECUTABLE_SIGNATURES)


def _zip_kind(stream: BinaryIO) -> Kind | None:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                mime = archive.read("mimetype").decode("ascii", "replace").strip()
                return _OPENDOCUMENT.get(mime)
            if "[Content_Types].xml" in names:
                for prefix, kind in _OFFICE_XML.items():
                    if any(name.startswith(prefix) for name in names):
                        return kind
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    return None


def sniff(stream: BinaryIO) -> Kind | None:
    """The accepted kind of the file's content, or None. Leaves the stream at its start."""
    stream.seek(0)
    head = stream.read(HEAD_SIZE)
    stream.seek(0)
    kind = None
    if head.startswith(b"%PDF-"):
        kind = PDF
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = PNG
    elif head.startswith(b"\xff\xd8\xff"):
        kind = JPEG
    elif head.startswith((b"GIF87a", b"GIF89a")):
        kind = GIF
    elif head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        kind = WEBP
    elif head.startswith(b"PK\x03\x04"):
        kind = _zip_kind(stream)
        stream.seek(0)
    return kind
