"""The request class: form bodies survive bytes that are not valid UTF-8."""

from __future__ import annotations

import typing as t
from urllib.parse import parse_qsl

from flask import Request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser


class LenientFormDataParser(FormDataParser):
    def _parse_urlencoded(self, stream: t.IO[bytes], mimetype, content_length, options):
        # Werkzeug drops the whole form when one raw byte is not UTF-8 (and keeps bad %XX
        # escapes as text). Replacing them with U+FFFD keeps every other value, so the form
        # comes back as typed and validation can name the field that could not be read.
        raw = stream.read()
        if content_length is None and stream.read(1):
            # A chunked body stops silently at MAX_CONTENT_LENGTH; reading past it raises the
            # 413 (Werkzeug's limited stream), instead of parsing a form cut in the middle.
            raise RequestEntityTooLarge()
        text = raw.decode("utf-8", "replace")
        items = parse_qsl(text, keep_blank_values=True, errors="replace")
        return stream, self.cls(items), self.cls()


class AppRequest(Request):
    form_data_parser_class = LenientFormDataParser
