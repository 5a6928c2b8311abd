"""What an attached file is, from its content."""

import io
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kenlabour.lab import filetypes


def _zip(entries: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in entries.items():
            archive.writestr(name, text)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"%PDF-1.7\n...", filetypes.PDF),
        (b"\x89PNG\r\n\x1a\n\x00\x00", filetypes.PNG),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", filetypes.JPEG),
        (b"GIF89a\x01\x00", filetypes.GIF),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", filetypes.WEBP),
        (_zip({"mimetype": "application/vnd.oasis.opendocument.text"}), filetypes.ODT),
        (
            _zip({"mimetype": "application/vnd.oasis.opendocument.spreadsheet"}),
            filetypes.ODS,
        ),
        (_zip({"[Content_Types].xml": "<x/>", "word/document.xml": "<w/>"}), filetypes.DOCX),
        (_zip({"[Content_Types].xml": "<x/>", "xl/workbook.xml": "<w/>"}), filetypes.XLSX),
    ],
)
def test_accepted_kinds_are_recognised_from_their_content(content, kind):
    stream = io.BytesIO(content)
    assert filetypes.sniff(stream) == kind
    assert stream.tell() == 0, "the stream is left at its start, ready to be stored"


@pytest.mark.parametrize(
    "content",
    [
        b"MZ\x90\x00\x03",
        b"\x7fELF\x02\x01",
        b"\xcf\xfa\xed\xfe\x07",
        b"#!/bin/sh\nrm -rf /",
    ],
)
def test_programs_are_recognised_and_not_accepted(content):
    assert filetypes.is_executable(content)
    assert filetypes.sniff(io.BytesIO(content)) is None


def test_a_plain_zip_or_a_broken_one_is_not_a_document():
    assert filetypes.sniff(io.BytesIO(_zip({"virus.exe": "MZ"}))) is None
    assert filetypes.sniff(io.BytesIO(b"PK\x03\x04 broken")) is None


@given(st.binary(max_size=200))
def test_any_bytes_get_an_answer_never_an_error(content):
    kind = filetypes.sniff(io.BytesIO(content))
    assert kind is None or kind in filetypes.ACCEPTED
    if filetypes.is_executable(content):
        assert kind is None
