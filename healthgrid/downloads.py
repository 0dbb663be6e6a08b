"""File downloads the pages hand out (Excel workbooks, PDFs, QR codes, photos): every one
is named here, in the user's language and safely for every browser."""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from flask import Response
from flask_babel import force_locale

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_MIMETYPE = "application/pdf"

# Characters no file system (or a header's quoted string) takes in a file name.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|;]+')


def _clean(name: str) -> str:
    return _UNSAFE.sub("_", name).strip(" .") or "download"


def _ascii(name: str) -> str:
    """The name with accents dropped and anything else outside ASCII left out."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    plain = re.sub(r"([-_ ])[-_ ]+", r"\1", plain).strip("-_ ")
    return _clean(plain)


def content_disposition(name, *, fallback: str | None = None, inline: bool = False) -> str:
    """The Content-Disposition of a file called `name` (a file name in the user's language;
    a lazy text is also rendered in English for the fallback): an ASCII `filename=` for old
    browsers, the real name in RFC 5987 `filename*=UTF-8''…` for all others."""
    shown = _clean(str(name))
    if fallback is None:
        with force_locale("en"):
            fallback = str(name)
    plain = _ascii(fallback)
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{plain}\"; filename*=UTF-8''{quote(shown, safe='')}"


def file_response(data, mimetype: str, name, *, fallback: str | None = None,
                  inline: bool = False) -> Response:
    """`data` (bytes, or a file opened for reading) sent as the file `name`."""
    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": content_disposition(name, fallback=fallback, inline=inline)})


def xlsx_response(data: bytes, name, *, fallback: str | None = None) -> Response:
    """An .xlsx workbook as an attachment."""
    return file_response(data, XLSX_MIMETYPE, name, fallback=fallback)


def pdf_response(data: bytes, name, *, fallback: str | None = None,
                 inline: bool = False) -> Response:
    return file_response(data, PDF_MIMETYPE, name, fallback=fallback, inline=inline)
