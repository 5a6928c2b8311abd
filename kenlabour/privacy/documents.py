"""The download of a person's data: JSON for machines, a PDF for people (WeasyPrint,
imported inside the function as in funding.statements)."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string

JSON_CONTENT_TYPE = "application/json; charset=utf-8"
PDF_CONTENT_TYPE = "application/pdf"


def as_json(data: dict) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


def as_html(data: dict) -> str:
    return render_to_string("privacy/personal_data_pdf.html", {"data": data})


def as_pdf(data: dict) -> bytes:
    from weasyprint import HTML

    return HTML(string=as_html(data)).write_pdf()
