"""Writers of the directory's exports: a header and rows of plain values in, a file out.

No Django import. A row holds text, numbers (int or float) or None (an empty cell).

- CSV and XLSX: the project's shared writers (kenlabour.web.spreadsheets), which
  neutralise text a spreadsheet would run as a formula ("CSV injection").
- GeoJSON (RFC 7946): a FeatureCollection, a Point per actor with a position (longitude
  first), `null` geometry for the others; the columns become the properties.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence

from kenlabour.web.spreadsheets import (  # noqa: F401 - the directory's writers
    BOM,
    CSV_CONTENT_TYPE,
    CSV_DELIMITER,
    FORMULA_STARTS,
    ROWS_PER_CHUNK,
    XLSX_CONTENT_TYPE,
    csv_cell,
    csv_chunks,
    is_formula_like,
    xlsx_bytes,
)

GEOJSON_CONTENT_TYPE = "application/geo+json"


def geojson_chunks(
    header: Sequence[str], rows: Iterable[Sequence], *, latitude: str, longitude: str
) -> Iterator[str]:
    """A GeoJSON FeatureCollection, piece by piece; `latitude` and `longitude` name the
    columns giving a row's position (None when it has none)."""
    lat_index, lon_index = header.index(latitude), header.index(longitude)
    yield '{"type": "FeatureCollection", "features": ['
    pieces = []
    for count, row in enumerate(rows):
        lat, lon = row[lat_index], row[lon_index]
        geometry = None
        if lat is not None and lon is not None:
            geometry = {"type": "Point", "coordinates": [lon, lat]}
        feature = {
            "type": "Feature",
            "geometry": geometry,
            "properties": dict(zip(header, row, strict=True)),
        }
        pieces.append(("," if count else "") + json.dumps(feature, ensure_ascii=False))
        if len(pieces) == ROWS_PER_CHUNK:
            yield "".join(pieces)
            pieces = []
    if pieces:
        yield "".join(pieces)
    yield "]}"
