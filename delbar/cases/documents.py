"""What may be attached to a case: PDF, DOCX, XLSX and ODT, recognised by their content.

The extension a user gives is only a claim: the bytes decide. A file whose content is not one of
the four, or whose content disagrees with its extension (an executable named report.pdf), is
refused with a message that says which.
"""

from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

EXTENSIONS = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.oasis.opendocument.text": ".odt",
}
ACCEPT_ATTRIBUTE = ",".join(EXTENSIONS.values())

# How many bytes to read for recognition: enough for the zip directory entries of Office files.
SNIFF_BYTES = 64 * 1024


def safe_display_name(name: str) -> str:
    """The uploader's file name with any path and odd characters removed; only ever displayed."""
    base = PurePath(name.replace("\\", "/")).name
    cleaned = get_valid_filename(base)[:150] if base.strip(". ") else ""
    return cleaned or "document"


def inspect_upload(upload) -> str:
    """The upload's content type, or a ValidationError saying why it cannot be attached."""
    if upload.size > settings.DOCUMENT_MAX_BYTES:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(settings.DOCUMENT_MAX_BYTES)})
    if upload.size == 0:
        raise ValidationError(_("The file is empty."))
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    kind = _guess(head, upload)
    if kind is None:
        raise ValidationError(_("Only PDF, Word (DOCX), Excel (XLSX) and OpenDocument text (ODT) files can "
                                "be attached; the content of this file is none of these."))
    claimed = PurePath(upload.name or "").suffix.lower()
    if claimed and claimed != EXTENSIONS[kind]:
        raise ValidationError(_("The file is named %(claimed)s but its content is %(actual)s. Rename or "
                                "export it with the right type.") % {"claimed": claimed, "actual": EXTENSIONS[kind]})
    return kind


def _guess(head: bytes, upload) -> str | None:
    guess = filetype.guess(head)
    if guess is not None and guess.mime in EXTENSIONS:
        return guess.mime
    # Office files whose directory lies past the first bytes: let filetype read the whole file.
    if head[:4] == b"PK\x03\x04":
        data = upload.read()
        upload.seek(0)
        guess = filetype.guess(data)
        if guess is not None and guess.mime in EXTENSIONS:
            return guess.mime
    return None
