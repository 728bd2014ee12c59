"""Loading the alcaldías' boundaries for the public map (``violeta observatory boundaries``).

The file is a GeoJSON FeatureCollection in WGS84 longitude/latitude (e.g. INEGI's Marco
Geoestadístico), one feature per alcaldía of the catalog with its INEGI code in a property.
The whole file is checked first; a problem raises :class:`BoundaryProblem` (in Spanish, naming
the file, the feature and the property) and nothing is stored. A load replaces the previous
set whole, in one transaction.

Shapely simplifies the polygons as a *coverage* (``coverage_simplify``: an edge shared by two
alcaldías is simplified once, so no gaps or overlaps appear between neighbours). The SVG path
is projected once, here, with an equirectangular projection scaled by cos(latitude) at the
centre of the city: over a city 50 km across its distortion is well under 1 %, invisible on a
choropleth, so no projection library (pyproj) is needed.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from django.db import transaction
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from violeta.catalogs.models import Alcaldia
from violeta.observatory.models import Boundary, BoundarySet

CODE_PROPERTIES = ("cve_geo", "CVEGEO", "cvegeo")
TOLERANCE = 0.0005  # degrees, about 50 m: one unit of the 600-unit-wide map, ~2,000 points
WIDTH = 600.0  # the SVG viewBox's width; its height follows the city's shape
MARGIN = 4.0
MAX_BYTES = 50 * 1024 * 1024  # INEGI's detailed file for the city is 0.8 MB


class BoundaryProblem(ValueError):
    """The file cannot be loaded; nothing of it was stored."""

    def __init__(self, file: str, message: str, *, feature: int | None = None, field: str = ""):
        self.file, self.message, self.feature, self.field = file, message, feature, field
        where = file + (f", features[{feature}]" if feature is not None else "")
        where += f", propiedad «{field}»" if field and not field.startswith("geometry") else ""
        where += f", {field}" if field.startswith("geometry") else ""
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Parsed:
    code: str
    geometry: BaseGeometry


def _read(path: Path) -> dict[str, Any]:
    name = path.name
    try:
        if path.stat().st_size > MAX_BYTES:
            raise BoundaryProblem(name, "el archivo pesa más de 50 MB; simplifíquelo antes")
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise BoundaryProblem(name, f"no se puede leer el archivo ({error.strerror})") from None
    except UnicodeDecodeError:
        raise BoundaryProblem(name, "no es un archivo de texto UTF-8 (GeoJSON)") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise BoundaryProblem(
            name, f"no es JSON válido (línea {error.lineno}, columna {error.colno}: {error.msg})"
        ) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        found = data.get("type") if isinstance(data, dict) else type(data).__name__
        raise BoundaryProblem(
            name, f"no es una FeatureCollection de GeoJSON (type = «{str(found)[:40]}»)"
        )
    if not isinstance(data.get("features"), list) or not data["features"]:
        raise BoundaryProblem(name, "la FeatureCollection no tiene elementos (features)")
    return data


def _code_property(name: str, features: list[Any], wanted: str | None) -> str:
    if wanted:
        return wanted
    first = features[0].get("properties") if isinstance(features[0], dict) else None
    for candidate in CODE_PROPERTIES:
        if isinstance(first, dict) and candidate in first:
            return candidate
    raise BoundaryProblem(
        name,
        "ningún elemento tiene propiedad de código (" + ", ".join(CODE_PROPERTIES) + "); "
        "indique cuál con --code-property",
        feature=0,
    )


def _code(value: object) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return f"{value:05d}"  # SESNSP-style integer codes: 9002 -> "09002"
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _geometry(name: str, index: int, raw: object) -> BaseGeometry:
    if not isinstance(raw, dict) or raw.get("type") not in ("Polygon", "MultiPolygon"):
        found = raw.get("type") if isinstance(raw, dict) else raw
        raise BoundaryProblem(
            name,
            f"el tipo es «{str(found)[:40]}»; se esperaba Polygon o MultiPolygon",
            feature=index,
            field="geometry",
        )
    try:
        geometry = shape(raw)
    except (ValueError, TypeError, IndexError, KeyError, AttributeError) as error:
        raise BoundaryProblem(
            name, f"coordenadas no válidas ({str(error)[:80]})", feature=index, field="geometry"
        ) from None
    if geometry.is_empty:
        raise BoundaryProblem(name, "la geometría está vacía", feature=index, field="geometry")
    west, south, east, north = geometry.bounds
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise BoundaryProblem(
            name,
            "las coordenadas no son longitud/latitud WGS84 (¿está en metros, p. ej. la "
            "proyección de INEGI?); conviértalo a EPSG:4326",
            feature=index,
            field="geometry",
        )
    if not geometry.is_valid:  # self-intersections: repaired, keeping only the polygons
        geometry = shapely.make_valid(geometry)
        parts = [
            g for g in shapely.get_parts(geometry) if g.geom_type in ("Polygon", "MultiPolygon")
        ]
        geometry = shapely.union_all(parts)
    return geometry


def parse(path: Path, *, code_property: str | None = None) -> list[Parsed]:
    """Check the whole file against the Alcaldia catalog; raise :class:`BoundaryProblem`."""
    name = path.name
    features = _read(path)["features"]
    prop = _code_property(name, features, code_property)
    catalog = dict(Alcaldia.objects.values_list("inegi_code", "name"))
    if not catalog:
        raise BoundaryProblem(
            name, "el catálogo de alcaldías está vacío: cargue primero los catálogos"
        )
    seen: dict[str, int] = {}
    found: list[Parsed] = []
    for index, feature in enumerate(features):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise BoundaryProblem(name, "no es un Feature de GeoJSON", feature=index)
        properties = feature.get("properties")
        if not isinstance(properties, dict) or prop not in properties:
            raise BoundaryProblem(name, "falta el código de alcaldía", feature=index, field=prop)
        code = _code(properties[prop])
        if code is None:
            raise BoundaryProblem(
                name, "el código de alcaldía está vacío", feature=index, field=prop
            )
        if code not in catalog:
            raise BoundaryProblem(
                name,
                f"«{code[:20]}» no es el código INEGI de una alcaldía del catálogo",
                feature=index,
                field=prop,
            )
        if code in seen:
            raise BoundaryProblem(
                name,
                f"«{code}» se repite (también en features[{seen[code]}])",
                feature=index,
                field=prop,
            )
        seen[code] = index
        found.append(Parsed(code, _geometry(name, index, feature.get("geometry"))))
    missing = sorted(set(catalog) - set(seen))
    if missing:
        listed = ", ".join(f"{c} {catalog[c]}" for c in missing)
        raise BoundaryProblem(name, f"faltan alcaldías del catálogo: {listed}")
    return found


def simplify(geometries: Sequence[BaseGeometry], tolerance: float) -> list[BaseGeometry]:
    """Simplify as a coverage (shared edges stay shared); each part on its own otherwise."""
    if tolerance <= 0:
        return list(geometries)
    if shapely.coverage_is_valid(list(geometries)):
        return list(shapely.coverage_simplify(list(geometries), tolerance))
    return [g.simplify(tolerance, preserve_topology=True) for g in geometries]


class Projection:
    """Equirectangular, scaled by cos(latitude) at the centre of ``bounds`` (see above)."""

    def __init__(self, bounds: Sequence[float]) -> None:
        west, south, east, north = bounds
        self.west, self.north = west, north
        self.kx = math.cos(math.radians((south + north) / 2))
        self.scale = (WIDTH - 2 * MARGIN) / max((east - west) * self.kx, 1e-9)
        self.width = WIDTH
        self.height = round((north - south) * self.scale + 2 * MARGIN, 1)

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        x = MARGIN + (lon - self.west) * self.kx * self.scale
        return round(x, 1), round(MARGIN + (self.north - lat) * self.scale, 1)

    def path(self, geometry: BaseGeometry) -> str:
        """The SVG path data of a (Multi)Polygon: one closed subpath per ring (evenodd)."""
        out = []
        for polygon in shapely.get_parts(geometry):
            for ring in (polygon.exterior, *polygon.interiors):
                points: list[tuple[float, float]] = []
                for lon, lat in ring.coords[:-1]:
                    point = self(lon, lat)
                    if not points or points[-1] != point:
                        points.append(point)
                if len(points) >= 3:
                    out.append("M" + "L".join(f"{x:g} {y:g}" for x, y in points) + "Z")
        return "".join(out)


def _rounded(geometry: BaseGeometry) -> dict[str, Any]:
    """GeoJSON with 5 decimals (about 1 m): more would only be noise after simplification."""
    data: dict[str, Any] = json.loads(shapely.to_geojson(shapely.set_precision(geometry, 1e-5)))
    return data


def boundaries_load(
    path: Path,
    *,
    attribution: str | None = None,
    code_property: str | None = None,
    tolerance: float = TOLERANCE,
) -> BoundarySet:
    """Load (or reload, replacing the previous set) the boundaries of every alcaldía."""
    parsed = parse(path, code_property=code_property)
    simplified = simplify([p.geometry for p in parsed], tolerance)
    projection = Projection(shapely.total_bounds(simplified))
    alcaldias = {a.inegi_code: a for a in Alcaldia.objects.all()}
    text = (attribution or "").strip() or f"Fuente: {path.name}"
    with transaction.atomic():
        BoundarySet.objects.all().delete()
        loaded = BoundarySet.objects.create(
            source=path.name[:255],
            attribution=text[:300],
            tolerance=tolerance,
            width=projection.width,
            height=projection.height,
        )
        Boundary.objects.bulk_create(
            Boundary(
                boundary_set=loaded,
                alcaldia=alcaldias[p.code],
                geometry=_rounded(geometry),
                svg_path=projection.path(geometry),
            )
            for p, geometry in zip(parsed, simplified, strict=True)
        )
    return loaded


def current_boundaries() -> tuple[BoundarySet | None, dict[str, str]]:
    """The loaded set and each alcaldía's SVG path by INEGI code (empty without a set)."""
    loaded = BoundarySet.objects.order_by("-loaded_at").first()
    if loaded is None:
        return None, {}
    paths = dict(
        Boundary.objects.filter(boundary_set=loaded).values_list("alcaldia__inegi_code", "svg_path")
    )
    return loaded, paths
