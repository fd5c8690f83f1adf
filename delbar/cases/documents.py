"""What may be attached to a case or shared in a buyer group: PDF, DOCX, XLSX and ODT, read whole.

The extension a user gives is only a claim: the bytes decide, and every byte is read before anything
is stored. `inspect_upload` returns the content type or raises a ValidationError that says why not:

| the file                                                              | the reason given     |
|-----------------------------------------------------------------------|----------------------|
| by content none of the four (the package's own declared type counts)  | `NOT_A_DOCUMENT`     |
| content and extension disagree (a PDF named .docx)                    | the two types        |
| a zip of over `MAX_PARTS` parts                                       | `TOO_MANY_PARTS`     |
| unpacking to over `UNPACKED_PER_UPLOADED_BYTE` times the upload limit | `TOO_LARGE_UNPACKED` |
| one large part packed over `BOMB_RATIO`:1                             | `ZIP_BOMB`           |
| part names that climb out of the package (`..`, `/etc`, `C:`)         | `UNSAFE_NAMES`       |
| password-protected (zip parts or PDF)                                 | `ENCRYPTED`          |
| VBA (`vbaProject.bin`, macro-enabled types), Excel 4 macro sheets,    | `MACROS`             |
| ODF `Basic/` or `Scripts/`, ODF events and links that call scripts    |                      |
| a program (`MZ`, .exe, .js, …), any OLE object, a non-document zip    | `EMBEDDED`           |
| a template or object fetched from the network when opened             | `REMOTE`             |
| a PDF with JavaScript, launch actions, attached files or XFA          | `PDF_…`, one each    |
| a PDF too large to walk in bounded time                               | `TOO_COMPLEX`        |
| anything the readers cannot read to the end (CRCs included)           | `DAMAGED`            |

OLE objects are refused whatever they hold: one can hide a program (a Package stream), an
equation-editor exploit or a macro document; telling these apart means parsing OLE, and a case
document loses little without them (the embedded file can be attached on its own). Parts that are
themselves Office or ODF packages, such as the workbook behind a chart, are checked as packages,
nested at most `MAX_NESTING` deep and within the same limits.
"""

import io
import re
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import PurePath, PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from lxml import etree
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

EXTENSIONS = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.oasis.opendocument.text": ".odt",
}
ACCEPT_ATTRIBUTE = ",".join(EXTENSIONS.values())

# Why each refusal, in the user's words. Public so that pages and tests show the same text.
NOT_A_DOCUMENT = gettext_lazy("Only PDF, Word (DOCX), Excel (XLSX) and OpenDocument text (ODT) files can be "
                              "attached; the content of this file is none of these.")
DAMAGED = gettext_lazy("The document is damaged and cannot be read through. Save or export it again and "
                       "upload the new file.")
ENCRYPTED = gettext_lazy("The document is password-protected or encrypted, so Delbar cannot check it. Save it "
                         "without protection and upload it again.")
TOO_MANY_PARTS = gettext_lazy("The document is made of %(count)s parts; Delbar accepts at most %(limit)s.")
TOO_LARGE_UNPACKED = gettext_lazy("The document unpacks to more than %(limit)s, which Delbar does not accept.")
ZIP_BOMB = gettext_lazy("The document contains a part that unpacks to over %(ratio)s times its packed size "
                        "(a “zip bomb”), which Delbar does not accept.")
UNSAFE_NAMES = gettext_lazy("The document contains a part whose name points outside the document, which Delbar "
                            "does not accept.")
MACROS = gettext_lazy("The document contains macros, which Delbar does not accept. Save it as a document "
                      "without macros (.docx, .xlsx or .odt) and upload it again.")
EMBEDDED = gettext_lazy("The document contains an embedded program or object, which Delbar does not accept. "
                        "Remove it, or attach the embedded file on its own.")
REMOTE = gettext_lazy("The document fetches a template or object from the network when it is opened, which "
                      "Delbar does not accept.")
PDF_JAVASCRIPT = gettext_lazy("The PDF contains JavaScript, which Delbar does not accept.")
PDF_LAUNCH = gettext_lazy("The PDF contains an action that starts a program, which Delbar does not accept.")
PDF_ATTACHMENTS = gettext_lazy("The PDF has files attached inside it, which Delbar does not accept. Attach "
                               "them on their own instead.")
PDF_XFA = gettext_lazy("The PDF is an XFA form, which Delbar does not accept. Print it to a plain PDF and upload "
                       "that.")
TOO_COMPLEX = gettext_lazy("The document is too complex for Delbar to check. Save or export it again and upload "
                           "the new file.")

# Limits for zip packages (DOCX, XLSX, ODT). A 300-page report with a picture on every page has under a
# thousand parts and a workbook with a hundred sheets a few hundred; 5,000 leaves room for any real document
# while a 20,000-part file, cheap to make, would cost every reader that opens it.
MAX_PARTS = 5_000
# Office XML packs about 5-15 times smaller, and pictures do not pack at all: ten times the upload limit
# (200 MB with the default 20 MB) unpacks every real document and bounds what a reader has to unpack.
UNPACKED_PER_UPLOADED_BYTE = 10
# A zip bomb packs one huge part absurdly well (zeros pack over 1,000:1); real parts of several MB, even a
# repetitive sheet, stay well under 100:1. Small parts may pack as they like: they cannot hurt.
BOMB_RATIO = 100
BOMB_MIN_BYTES = 4 * 1024 * 1024
# The workbook behind a chart in a report is one level; a document inside that inside that is contrived.
MAX_NESTING = 2
# Office Open XML and ODF allow only these two; anything else is not a valid document.
ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
ZIP_ENCRYPTED_FLAGS = 0x1 | 0x40  # traditional and strong encryption
CHUNK_BYTES = 64 * 1024

OOXML_MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml":
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml":
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# A package whose [Content_Types].xml does not name its main part's type: the standard part name decides.
OOXML_MAIN_PARTS = {
    "word/document.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/workbook.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ODF_TEXT = "application/vnd.oasis.opendocument.text"

# Content types that mean VBA or Excel 4 macro sheets (docm, xlsm, vbaProject, macrosheet, …).
MACRO_CONTENT_TYPE = re.compile(r"macroenabled|vba|macrosheet", re.IGNORECASE)
EMBEDDED_CONTENT_TYPE = re.compile(r"oleobject|activex", re.IGNORECASE)
MACRO_PART = re.compile(r"(^|/)(vbaproject[^/]*\.bin|vbadata\.xml)$|(^|/)macrosheets/|^(basic|scripts)/",
                        re.IGNORECASE)
EMBEDDED_PART = re.compile(r"(^|/)oleobject[^/]*\.bin$|\.(exe|dll|com|bat|cmd|js|jse|vbs|vbe|ps1|scr|jar|msi|"
                           r"hta|wsf|lnk|cpl)$", re.IGNORECASE)
EXECUTABLE_MAGIC = b"MZ"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# Relationships that make Office fetch and open something when the document opens; hyperlinks only on a click.
FETCHED_ON_OPENING = {"attachedtemplate", "oleobject", "subdocument", "frame"}
ODF_EVENT_LISTENER = "{urn:oasis:names:tc:opendocument:xmlns:script:1.0}event-listener"
ODF_SCRIPT_URL = ("vnd.sun.star.script:", "macro:")

# Bounds on reading a PDF. pypdf parses about 10,000 objects a CPU second (measured: a 1,000-page PDF with ten
# links a page, 12,000 objects, took 1.2 s); real reports have tens of thousands at most. A damaged
# cross-reference table makes pypdf search the whole file once per object, so a crafted file could keep it
# busy for minutes: past either bound it is refused, well inside gunicorn's 30-second worker timeout.
PDF_MAX_OBJECTS = 200_000
PDF_MAX_SECONDS = 20


def safe_display_name(name: str) -> str:
    """The uploader's file name with any path and odd characters removed; only ever displayed."""
    base = PurePath(name.replace("\\", "/")).name
    cleaned = get_valid_filename(base)[:150] if base.strip(". ") else ""
    return cleaned or "document"


def inspect_upload(upload) -> str:
    """The upload's content type, or a ValidationError saying why it cannot be attached.

    Reads the whole file (in memory or on disk) and leaves it at its start for storing.
    """
    if upload.size > settings.DOCUMENT_MAX_BYTES:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(settings.DOCUMENT_MAX_BYTES)})
    if upload.size == 0:
        raise ValidationError(_("The file is empty."))
    try:
        kind = _read_whole(upload)
    finally:
        upload.seek(0)
    if kind is None:
        raise ValidationError(NOT_A_DOCUMENT)
    claimed = PurePath(upload.name or "").suffix.lower()
    if claimed and claimed != EXTENSIONS[kind]:
        raise ValidationError(_("The file is named %(claimed)s but its content is %(actual)s. Rename or "
                                "export it with the right type.") % {"claimed": claimed, "actual": EXTENSIONS[kind]})
    return kind


def _read_whole(upload) -> str | None:
    upload.seek(0)
    head = upload.read(len(ZIP_MAGIC) + 1)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        _check_pdf(upload)
        return "application/pdf"
    if head.startswith(ZIP_MAGIC):
        return _check_zip(upload)
    return None


# --- Zip packages: Office Open XML and ODF ---

@dataclass
class _Budget:
    """What all packages in one upload, nested ones included, may add up to."""

    unpacked_limit: int
    parts: int = 0
    unpacked: int = 0


@dataclass
class _Package:
    """What the content pass learns about one package's type."""

    names: set[str]
    mimetype: bytes = b""
    main_part: str = ""
    content_types: dict[str, str] = field(default_factory=dict)  # "/part/name" or "extension" -> type

    @property
    def is_odf(self) -> bool:
        return "mimetype" in self.names

    @property
    def is_ooxml(self) -> bool:
        return "[Content_Types].xml" in self.names


# What the stdlib and lxml raise on a zip or XML they cannot read through.
_UNREADABLE = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, etree.LxmlError)


def _check_zip(upload) -> str | None:
    budget = _Budget(unpacked_limit=UNPACKED_PER_UPLOADED_BYTE * settings.DOCUMENT_MAX_BYTES)
    try:
        with zipfile.ZipFile(upload) as archive:
            package = _Package(names=set(archive.namelist()))
            if package.is_odf == package.is_ooxml:
                return None  # an ordinary zip, a JAR, an EPUB, or both kinds at once: not one of the four
            _check_package(archive, package, packed_size=upload.size, budget=budget, depth=0)
    except _UNREADABLE:
        raise ValidationError(DAMAGED) from None
    return _package_type(package)


def _package_type(package: _Package) -> str | None:
    if package.is_odf:
        return ODF_TEXT if package.mimetype == ODF_TEXT.encode() else None
    extension = PurePosixPath(package.main_part).suffix.lstrip(".")
    main_type = package.content_types.get(package.main_part) or package.content_types.get(extension)
    if package.main_part and main_type:
        return OOXML_MAIN_TYPES.get(main_type)
    return next((kind for part, kind in OOXML_MAIN_PARTS.items() if part in package.names), None)


def _check_package(archive: zipfile.ZipFile, package: _Package, *, packed_size: int, budget: _Budget,
                   depth: int) -> None:
    """Refuses by the directory first (cheap, and before unpacking anything), then reads every part."""
    entries = archive.infolist()
    budget.parts += len(entries)
    if budget.parts > MAX_PARTS:
        raise ValidationError(TOO_MANY_PARTS % {"count": budget.parts, "limit": MAX_PARTS})
    if len(package.names) != len(entries):
        raise ValidationError(DAMAGED)  # two parts of one name: readers would disagree on which counts
    if sum(entry.compress_size for entry in entries) > packed_size:
        raise ValidationError(DAMAGED)  # parts overlap: the other kind of zip bomb
    for entry in entries:
        _check_entry_header(entry, budget)
    for entry in entries:
        with archive.open(entry) as stream:
            if entry.filename == "mimetype":
                package.mimetype = stream.read(len(ODF_TEXT) + 1)
            elif _is_described_xml(entry.filename, package):
                _read_xml(stream, entry.filename, package)
            else:
                _check_part_bytes(stream, entry, budget, depth)
            # Read to the end, so zipfile checks every byte against the part's CRC.
            while stream.read(CHUNK_BYTES):
                pass


def _check_entry_header(entry: zipfile.ZipInfo, budget: _Budget) -> None:
    if entry.flag_bits & ZIP_ENCRYPTED_FLAGS:
        raise ValidationError(ENCRYPTED)
    if entry.compress_type not in ZIP_METHODS:
        raise ValidationError(DAMAGED)
    name = entry.filename
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name) or ".." in parts:
        raise ValidationError(UNSAFE_NAMES)
    budget.unpacked += entry.file_size
    if budget.unpacked > budget.unpacked_limit:
        raise ValidationError(TOO_LARGE_UNPACKED % {"limit": filesizeformat(budget.unpacked_limit)})
    if entry.file_size > BOMB_MIN_BYTES and entry.file_size > BOMB_RATIO * entry.compress_size:
        raise ValidationError(ZIP_BOMB % {"ratio": BOMB_RATIO})
    if MACRO_PART.search(name):
        raise ValidationError(MACROS)
    if EMBEDDED_PART.search(name):
        raise ValidationError(EMBEDDED)


def _check_part_bytes(stream, entry: zipfile.ZipInfo, budget: _Budget, depth: int) -> None:
    head = stream.read(len(OLE_MAGIC))
    if head.startswith(EXECUTABLE_MAGIC) or head.startswith(OLE_MAGIC):
        raise ValidationError(EMBEDDED)
    if head.startswith(ZIP_MAGIC):
        # A package inside (a chart's workbook): checked as one, within the same budget.
        if depth + 1 > MAX_NESTING or entry.file_size > settings.DOCUMENT_MAX_BYTES:
            raise ValidationError(EMBEDDED)
        data = head + stream.read()
        with zipfile.ZipFile(io.BytesIO(data)) as inner:
            package = _Package(names=set(inner.namelist()))
            if package.is_odf == package.is_ooxml:
                raise ValidationError(EMBEDDED)  # not an Office or ODF part: an archive, a JAR, …
            _check_package(inner, package, packed_size=len(data), budget=budget, depth=depth + 1)


def _is_described_xml(name: str, package: _Package) -> bool:
    if package.is_odf:
        return name.endswith(".xml")
    return name == "[Content_Types].xml" or name.endswith(".rels")


# No entity expansion, no DTD, no network, libxml2's size limits on.
_XML_OPTIONS = {"resolve_entities": False, "load_dtd": False, "no_network": True, "huge_tree": False}


def _read_xml(stream, name: str, package: _Package) -> None:
    for _event, element in etree.iterparse(stream, events=("end",), **_XML_OPTIONS):
        if package.is_odf:
            _check_odf_element(element)
        else:
            _check_ooxml_element(element, name, package)
        # Keep memory flat on a large content.xml: drop what has been looked at.
        element.clear(keep_tail=False)
        while element.getprevious() is not None:
            del element.getparent()[0]


def _check_odf_element(element) -> None:
    if element.tag == ODF_EVENT_LISTENER:
        raise ValidationError(MACROS)
    if any(value.strip().lower().startswith(ODF_SCRIPT_URL) for value in element.attrib.values()):
        raise ValidationError(MACROS)


def _check_ooxml_element(element, name: str, package: _Package) -> None:
    tag = etree.QName(element).localname
    if tag in ("Default", "Override"):
        content_type = element.get("ContentType", "")
        if MACRO_CONTENT_TYPE.search(content_type):
            raise ValidationError(MACROS)
        if EMBEDDED_CONTENT_TYPE.search(content_type):
            raise ValidationError(EMBEDDED)
        key = element.get("PartName", "").lower() if tag == "Override" else element.get("Extension", "").lower()
        package.content_types[key] = content_type.lower()
    elif tag == "Relationship":
        kind = element.get("Type", "").rsplit("/", 1)[-1].lower()
        target = element.get("Target", "")
        if element.get("TargetMode") == "External":
            if kind in FETCHED_ON_OPENING and _is_network_location(target):
                raise ValidationError(REMOTE)
        elif name == "_rels/.rels" and kind == "officedocument":
            package.main_part = "/" + target.lstrip("/").lower()


def _is_network_location(target: str) -> bool:
    """True for http:, mhtml:, \\\\server\\share and file://server/; False for C:\\… and file:///C:/…"""
    location = target.strip().replace("\\", "/").lower()
    if location.startswith("file:///"):
        return False
    return location.startswith(("//", "file://")) or re.match(r"[a-z][a-z0-9+.-]+:", location) is not None


# --- PDF ---

def _check_pdf(upload) -> None:
    try:
        # From memory (the upload is at most DOCUMENT_MAX_BYTES): pypdf reads byte by byte, and through
        # Django's file proxy that alone doubled the time. Not strict: everyday PDFs have flaws pypdf reads past.
        reader = PdfReader(io.BytesIO(upload.read()))
        if reader.is_encrypted:
            raise ValidationError(ENCRYPTED)
        _walk_pdf(reader)
    except ValidationError:
        raise
    except Exception:  # a hostile PDF can make pypdf fail in any way; all mean "damaged"
        raise ValidationError(DAMAGED) from None


_PDF_CONTAINERS = (IndirectObject, DictionaryObject, ArrayObject)


def _walk_pdf(reader: PdfReader) -> None:
    """Looks at every object: those the trailer reaches and every one the cross-reference lists."""
    deadline = time.monotonic() + PDF_MAX_SECONDS
    pending: list = [reader.trailer]
    pending += [IndirectObject(number, generation, reader)
                for generation, numbers in reader.xref.items() for number in numbers]
    pending += [IndirectObject(number, 0, reader) for number in reader.xref_objStm]
    seen: set[tuple[int, int]] = set()
    walked = 0
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            item = item.get_object()
        walked += 1
        if walked > PDF_MAX_OBJECTS or time.monotonic() > deadline:
            raise ValidationError(TOO_COMPLEX)
        if isinstance(item, DictionaryObject):  # stream dictionaries too
            _check_pdf_dictionary(item)
            children = dict.values(item)  # as stored: the loop follows references itself
        elif isinstance(item, ArrayObject):
            children = list.__iter__(item)
        else:
            continue
        pending.extend(child for child in children if isinstance(child, _PDF_CONTAINERS))


def _check_pdf_dictionary(dictionary: DictionaryObject) -> None:
    keys = set(dictionary.keys())
    action = dictionary.get("/S")
    action = action.get_object() if action is not None else None
    kind = dictionary.get("/Type")
    kind = kind.get_object() if kind is not None else None
    # /JS is the script of a JavaScript (or Rendition) action; /JavaScript names the document's scripts.
    if keys & {"/JS", "/JavaScript"} or action == "/JavaScript":
        raise ValidationError(PDF_JAVASCRIPT)
    if action == "/Launch":
        raise ValidationError(PDF_LAUNCH)
    if keys & {"/EmbeddedFiles", "/EF"} or kind == "/EmbeddedFile":
        raise ValidationError(PDF_ATTACHMENTS)
    if "/XFA" in keys:
        raise ValidationError(PDF_XFA)
