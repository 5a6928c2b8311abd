"""Regenerate the outline of the départements that maps draw when their tile server cannot
be reached (`kenlabour/territories/static/territories/departements.geojson`).

Run by developers after the gazetteer changes (scripts/build_gazetteer.py), never at
install: `.venv/bin/python scripts/build_outlines.py`.

The outline is drawn from the gazetteer itself, without any other source: the Voronoi
diagram of the communes' positions splits the territory into one cell per commune, and a
border between two départements is every edge whose two communes lie in different
départements. Edges longer than MAX_EDGE_KM, or farther than MAX_REACH_KM from their
communes (out at sea, or across the gaps between mainland and islands), are dropped;
consecutive edges are joined into lines. Each département also gets a label point (the
mean position of its communes) with its name.
The result is coarse (a commune's cell, a few km), which is all a map needs to stay
readable without its tiles.
"""

import csv
import gzip
import io
import json
import math
from collections import defaultdict
from pathlib import Path

import numpy as np
from scipy.spatial import Voronoi

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "kenlabour" / "territories" / "data"
OUT = ROOT / "kenlabour" / "territories" / "static" / "territories" / "departements.geojson"
MAX_EDGE_KM = 30.0
MAX_REACH_KM = 20.0
DIGITS = 3  # about 100 m


def rows(name: str):
    with gzip.open(DATA / f"{name}.csv.gz") as raw:
        yield from csv.DictReader(io.TextIOWrapper(raw, "utf-8"))


def km(a, b) -> float:
    """Equirectangular distance, enough for edges of a few km."""
    lat = math.radians((a[1] + b[1]) / 2)
    dx = math.radians(b[0] - a[0]) * math.cos(lat)
    dy = math.radians(b[1] - a[1])
    return 6371.0 * math.hypot(dx, dy)


def join(edges: list[tuple[tuple, tuple]]) -> list[list[tuple]]:
    """Join segments that share an end into polylines."""
    by_end = defaultdict(list)
    for index, (a, b) in enumerate(edges):
        by_end[a].append(index)
        by_end[b].append(index)
    used = [False] * len(edges)
    lines = []
    for start in range(len(edges)):
        if used[start]:
            continue
        used[start] = True
        line = list(edges[start])
        for forward in (True, False):
            while True:
                end = line[-1] if forward else line[0]
                nxt = next((i for i in by_end[end] if not used[i]), None)
                if nxt is None:
                    break
                used[nxt] = True
                a, b = edges[nxt]
                point = b if a == end else a
                if forward:
                    line.append(point)
                else:
                    line.insert(0, point)
        lines.append(line)
    return lines


def main() -> None:
    names = {row["code"]: row["name"] for row in rows("departements")}
    points, departements = [], []
    for row in rows("communes"):
        if row["kind"] != "commune-actuelle" or not row["latitude"]:
            continue
        points.append((float(row["longitude"]), float(row["latitude"])))
        departements.append(row["departement"])
    # Communes sharing a position (rare) would make a degenerate diagram: keep the first.
    unique = {}
    for point, departement in zip(points, departements, strict=True):
        unique.setdefault(point, departement)
    points = list(unique)
    departements = [unique[p] for p in points]
    diagram = Voronoi(np.array(points))
    edges = defaultdict(list)
    for (p, q), ridge in zip(diagram.ridge_points, diagram.ridge_vertices, strict=True):
        if departements[p] == departements[q] or -1 in ridge:
            continue
        a, b = (tuple(round(float(c), DIGITS) for c in diagram.vertices[v]) for v in ridge)
        if a == b or km(a, b) > MAX_EDGE_KM:
            continue
        if max(km(a, points[p]), km(b, points[p])) > MAX_REACH_KM:
            continue
        edges[tuple(sorted((departements[p], departements[q])))].append((a, b))
    features = []
    for pair, segments in sorted(edges.items()):
        features.append(
            {
                "type": "Feature",
                "properties": {"kind": "border", "departements": list(pair)},
                "geometry": {"type": "MultiLineString", "coordinates": join(segments)},
            }
        )
    positions = defaultdict(list)
    for point, departement in zip(points, departements, strict=True):
        positions[departement].append(point)
    for code, found in sorted(positions.items()):
        lon = round(sum(p[0] for p in found) / len(found), DIGITS)
        lat = round(sum(p[1] for p in found) / len(found), DIGITS)
        features.append(
            {
                "type": "Feature",
                "properties": {"kind": "label", "code": code, "name": names.get(code, code)},
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
            }
        )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(
        json.dumps(
            {"type": "FeatureCollection", "features": features},
            ensure_ascii=False,
            separators=(",", ":"),
        )
    )
    print(f"{OUT.relative_to(ROOT)}: {len(edges)} borders, {len(positions)} labels")


if __name__ == "__main__":
    main()
