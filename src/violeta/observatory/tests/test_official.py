"""Official figures (``import-official``) on the real public files in ../shared/data/open/:
totals equal an independent count of each file, bad files store nothing, every load is kept
and the page shows the newest, nothing victim-level reaches the page, small FGJ cells hidden."""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.test import Client

from conftest import shared_data
from violeta.observatory.official_import import sniff
from violeta.observatory.official_models import OfficialDataset, OfficialFigure

OPEN = shared_data() / "open"
FGJ = "fgj_victimas_muestra_1000.csv"
GBV = "fgj_victimas_muestra_gbv.csv"
COARSE = "fgj_victimas_muestra_gbv_coarse.csv"
ALCALDIAS = "sesnsp_violencia_familiar_cdmx_alcaldias_mensual.csv"
MUNICIPAL = "sesnsp_violencia_familiar_municipal_2015_2022_wide.csv"
STATE_VICTIMS = "sesnsp_victimas_estatal_feminicidio_trata_homdoloso_2015_2025.csv.gz"
YEARLY = "sesnsp_incidencia_estatal_anual_gbv_2015_2025.csv"
CALLS = "sesnsp_911_violencia_familiar_estatal_2019_2020.csv"

# Written by hand from the files (not from the importer's rules): the FGJ's gender-violence
# crimes in the samples and the FGJ's spelling of each alcaldía.
GBV_CRIMES = {
    "VIOLENCIA FAMILIAR", "AMENAZAS", "ABUSO SEXUAL", "ACOSO SEXUAL", "VIOLACION",
    "CONTRA EL CUMPLIMIENTO DE LA OBLIGACION ALIMENTARIA", "VIOLACION EQUIPARADA",
    "CONTRA LA INTIMIDAD SEXUAL", "VIOLACION EQUIPARADA POR CONOCIDO", "PORNOGRAFÍA",
}  # fmt: skip
CODES = {
    "AZCAPOTZALCO": "09002", "COYOACAN": "09003", "CUAJIMALPA DE MORELOS": "09004",
    "GUSTAVO A MADERO": "09005", "IZTACALCO": "09006", "IZTAPALAPA": "09007",
    "LA MAGDALENA CONTRERAS": "09008", "MILPA ALTA": "09009", "ALVARO OBREGON": "09010",
    "TLAHUAC": "09011", "TLALPAN": "09012", "XOCHIMILCO": "09013", "BENITO JUAREZ": "09014",
    "CUAUHTEMOC": "09015", "MIGUEL HIDALGO": "09016", "VENUSTIANO CARRANZA": "09017",
}  # fmt: skip

pytestmark = pytest.mark.django_db


def data(name: str) -> Path:
    path = OPEN.resolve() / name
    if not path.is_file():
        pytest.fail(
            f"The public test data {path} is missing: these tests read the real files of "
            "../shared/data/open/ beside the repository (see /work/shared/data/README.md)."
        )
    return path


def load(name: str | Path, *extra: str) -> str:
    out = io.StringIO()
    call_command("observatory", "import-official", str(data(name) if isinstance(name, str)
                 else name), *extra, stdout=out)  # fmt: skip
    return out.getvalue()


def rows(name: str) -> list[dict[str, str]]:
    path = data(name)
    opener = gzip.open if name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:  # type: ignore[operator]
        return list(csv.DictReader(handle))


def stored(**filters: str) -> Counter[tuple[str, str]]:
    """Stored figures of the only load, summed by (period, geo)."""
    figures = OfficialFigure.objects.filter(**filters).values("period", "geo")
    return Counter(
        {(r["period"], r["geo"]): r["total"] for r in figures.annotate(total=Sum("value"))}
    )


def fgj_expected(name: str) -> Counter[tuple[str, str]]:
    expected: Counter[tuple[str, str]] = Counter()
    for row in rows(name):
        month = row.get("mes_inicio") or "-".join(reversed(row["FechaInicio"].split("/")[1:]))
        women = row["Delito"] in GBV_CRIMES and row["Sexo"] == "Femenino"
        if women and row["AlcaldiaHechos"] in CODES:
            expected[(month, CODES[row["AlcaldiaHechos"]])] += 1
    return expected


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        (FGJ, "fgj-victimas"), (GBV, "fgj-victimas"), (COARSE, "fgj-victimas (reducido)"),
        (ALCALDIAS, "sesnsp-alcaldias"), (MUNICIPAL, "sesnsp-municipal"),
        (STATE_VICTIMS, "sesnsp-estatal-victimas"), (YEARLY, "sesnsp-incidencia-anual"),
        (CALLS, "sesnsp-911"),
    ],
)  # fmt: skip
def test_each_format_is_told_by_its_header(name: str, fmt: str) -> None:
    assert sniff(data(name)).name == fmt


@pytest.mark.parametrize("name", [FGJ, GBV, COARSE])
def test_fgj_women_victims_equal_an_independent_count_and_no_row_is_stored(name: str) -> None:
    out = load(name)
    expected = fgj_expected(name)
    assert stored() == expected and sum(expected.values()) == 182
    dataset = OfficialDataset.objects.get()
    assert dataset.source == "fgj-victimas" and dataset.rows_counted == 182
    assert dataset.skipped["fuera_de_la_cdmx"] == 2 and "2 fuera_de_la_cdmx" in out
    assert (dataset.first_period, dataset.last_period) == ("2019-01", "2021-12")
    assert len(dataset.sha256) == 64 and dataset.file_name == name
    # aggregates only: month × alcaldía × category × age group of women, nothing else
    assert set(OfficialFigure.objects.values_list("sex", flat=True)) == {"mujeres"}
    assert not OfficialFigure.objects.filter(value=0).exists()
    assert OfficialFigure.objects.count() < dataset.rows_counted
    assert {f.name for f in OfficialFigure._meta.fields} == {
        "id",
        "dataset",
        "period",
        "geo",
        "category",
        "sex",
        "age_group",
        "value",
    }


def test_sesnsp_alcaldias_equal_the_file() -> None:
    load(ALCALDIAS)
    expected: Counter[tuple[str, str]] = Counter()
    for row in rows(ALCALDIAS):
        expected[(f"{row['anio']}-{int(row['mes']):02d}", row["cvegeo"])] += int(row["carpetas"])
    assert stored() == expected and len(expected) == 1632


def test_sesnsp_municipal_wide_file_equals_the_file_and_the_alcaldias_file() -> None:
    load(MUNICIPAL)
    months = ["Enero", "Febrero", "Marzo", "Abril", "Mayo", "Junio", "Julio", "Agosto",
              "Septiembre", "Octubre", "Noviembre", "Diciembre"]  # fmt: skip
    expected: Counter[tuple[str, str]] = Counter()
    for row in rows(MUNICIPAL):
        for n, month in enumerate(months, start=1):
            key = (f"{row['Año']}-{n:02d}", row["Cve. Municipio"].zfill(5))
            expected[key] += int(row[month])
    assert stored() == expected
    assert OfficialDataset.objects.get().rows_counted == len(rows(MUNICIPAL)) == 18_698
    alcaldias = Counter[tuple[str, str]]()
    for row in rows(ALCALDIAS):
        alcaldias[(f"{row['anio']}-{int(row['mes']):02d}", row["cvegeo"])] += int(row["carpetas"])
    assert {k: v for k, v in expected.items() if k[1].startswith("09")} == alcaldias


def test_sesnsp_state_victims_gz_equal_the_file() -> None:
    load(STATE_VICTIMS)
    women: Counter[tuple[str, str]] = Counter()
    total = 0
    for row in rows(STATE_VICTIMS):
        total += int(row["n_victimas"])
        if row["genero"] == "Mujer" and row["subtipo_de_delito"] == "Feminicidio":
            women[(f"{row['n_year']}-{row['n_month']}", row["cve_ent"])] += int(row["n_victimas"])
    assert OfficialFigure.objects.aggregate(s=Sum("value"))["s"] == total
    assert stored(sex="mujeres", category="feminicidio") == +women


def test_sesnsp_yearly_and_911_equal_the_files() -> None:
    load(YEARLY)
    load(CALLS)
    yearly: Counter[tuple[str, str]] = Counter()
    for row in rows(YEARLY):
        yearly[(row["n_year"], row["cve_ent"])] += int(row["n_delitos"])
    assert stored(dataset__source="sesnsp-incidencia-anual") == yearly
    calls: Counter[tuple[str, str]] = Counter()
    for row in rows(CALLS):
        state = "00" if row["entidad"] == "Nacional" else row["cve_entidad"].zfill(2)
        calls[(row["fecha"][:7], state)] += int(row["vio_fam_911_mensual"])
    assert stored(dataset__source="sesnsp-911") == calls


def _copy(tmp_path: Path, name: str, edit: dict[int, tuple[str, str]] | None = None,
          drop: str = "", encoding: str = "utf-8") -> Path:  # fmt: skip
    """A copy of a file, with some fields changed (line number → (column, value))."""
    source = rows(name)
    header = [h for h in source[0] if h != drop]
    out = tmp_path / name
    with out.open("w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, header, extrasaction="ignore")
        writer.writeheader()
        for line, row in enumerate(source, start=2):
            if edit and line in edit:
                row[edit[line][0]] = edit[line][1]
            writer.writerow(row)
    return out


def test_bad_files_are_rejected_naming_file_row_and_field_and_store_nothing(
    tmp_path: Path,
) -> None:
    last = len(rows(ALCALDIAS)) + 1
    for folder in "abcdefg":
        (tmp_path / folder).mkdir()
    cases = [
        (data("linea_mujeres_diccionario.csv"), "formato desconocido"),
        (_copy(tmp_path / "a", ALCALDIAS, drop="carpetas"),
         "parece un archivo «sesnsp-alcaldias» pero le faltan columnas: carpetas"),
        (_copy(tmp_path / "b", ALCALDIAS, {last: ("carpetas", "diez")}),
         f"fila {last}, campo «carpetas»: no es un número entero (valor «diez»)"),
        (_copy(tmp_path / "c", ALCALDIAS, {7: ("mes", "13")}),
         "fila 7, campo «mes»: debe estar entre 1 y 12"),
        (_copy(tmp_path / "d", FGJ, {900: ("FechaInicio", "31/02/2020")}),
         "fila 900, campo «FechaInicio»: no es una fecha dd/mm/aaaa"),
        (_copy(tmp_path / "e", COARSE, {5: ("grupo_edad", "adulta")}),
         "fila 5, campo «grupo_edad»"),
        (_copy(tmp_path / "g", MUNICIPAL, {18_000: ("Julio", "-3")}),
         "fila 18000, campo «Julio»"),
    ]  # fmt: skip
    for path, message in cases:
        with pytest.raises(CommandError) as error:
            load(path)
        assert message in str(error.value) and path.name in str(error.value)
        assert not OfficialDataset.objects.exists() and not OfficialFigure.objects.exists()
    with pytest.raises(CommandError, match="no es una fecha AAAA-MM-DD"):
        load(ALCALDIAS, "--release-date", "1/3/2026")
    with pytest.raises(CommandError, match="le faltan columnas"):
        load(ALCALDIAS, "--source", "sesnsp-911")


def test_latin1_bom_and_gzip_files_load_the_same_figures(tmp_path: Path) -> None:
    label = "Violencia familiar (género y niñas)"
    text = data(ALCALDIAS).read_text(encoding="utf-8").replace("Violencia familiar", label)
    variants = {
        "latin1.csv": text.encode("latin-1"),
        "bom.csv": b"\xef\xbb\xbf" + text.encode("utf-8"),
        "gz.csv.gz": gzip.compress(text.encode("utf-8")),
        "semicolon.csv": text.replace(",", ";").encode("utf-8"),
    }
    for n, (name, content) in enumerate(variants.items(), start=1):
        path = tmp_path / name
        path.write_bytes(content)
        load(path, "--release-date", f"2026-01-{n:02d}")
    totals = {
        d.file_name: d.figures.aggregate(s=Sum("value"))["s"] for d in OfficialDataset.objects.all()
    }
    expected = sum(int(r["carpetas"]) for r in rows(ALCALDIAS))
    assert totals == dict.fromkeys(variants, expected)
    assert [d.categories for d in OfficialDataset.objects.all()] == [
        {"violencia_familiar_genero_y_ninas": label}
    ] * len(variants)


def test_every_load_is_kept_and_the_page_shows_the_newest(catalogs: None, tmp_path: Path) -> None:
    load(ALCALDIAS, "--release-date", "2023-01-20")
    first = rows(ALCALDIAS)[0]
    revised = _copy(tmp_path, ALCALDIAS, {2: ("carpetas", "4321")})
    load(revised, "--release-date", "2023-02-20")
    with pytest.raises(CommandError, match="ya se cargó"):
        load(revised, "--release-date", "2023-02-20")
    loads = OfficialDataset.objects.order_by("release_date")
    assert [str(d.release_date) for d in loads] == ["2023-01-20", "2023-02-20"]
    old = loads[0].figures.get(period="2015-01", geo=first["cvegeo"])
    assert old.value == int(first["carpetas"]) != 4321
    page = Client().get("/observatorio/?alcaldia=09002&hasta=2015-03").content.decode()
    assert "Fecha de publicación: 2023-02-20" in page and "2023-01-20" not in page
    assert "<td>4321</td>" in page and "Azcapotzalco" in page
    # a load of an older release made later does not replace the newest release
    (tmp_path / "older").mkdir()
    older = _copy(tmp_path / "older", ALCALDIAS, {2: ("carpetas", "1")})
    load(older, "--release-date", "2022-12-01")
    page = Client().get("/observatorio/?alcaldia=09002&hasta=2015-03").content.decode()
    assert "<td>4321</td>" in page and "2022-12-01" not in page


def test_page_shows_each_source_labelled_with_filters_and_csv(catalogs: None) -> None:
    for name in (ALCALDIAS, STATE_VICTIMS, CALLS, YEARLY):
        load(name, "--release-date", "2025-06-30")
    client = Client()
    html = client.get("/observatorio/?desde=2020-01&hasta=2020-03&alcaldia=09007").content.decode()
    assert "Cifras oficiales" in html and html.count("Fecha de publicación: 2025-06-30") == 4
    assert "Secretariado Ejecutivo del Sistema Nacional de Seguridad Pública (SESNSP)" in html
    assert "Libre Uso MX" in html
    assert "Carpetas de investigación iniciadas, por mes, Iztapalapa" in html
    assert "Ciudad de México (esta fuente no tiene cifras por alcaldía)" in html
    iztapalapa = {
        r["mes"]: r["carpetas"] for r in rows(ALCALDIAS) if r["cvegeo"] == "09007"
        and r["anio"] == "2020" and int(r["mes"]) <= 3
    }  # fmt: skip
    table = html.split('id="o-sesnsp-alcaldias"')[1].split("</table>")[0]
    cells = re.findall(r'<th scope="row">([\d-]+)</th><td>(\d+)</td>', table)
    assert cells == [(f"2020-{int(m):02d}", v) for m, v in iztapalapa.items()]
    response = client.get("/observatorio/oficial/sesnsp-911.csv?desde=2020-01&hasta=2020-02")
    assert "2025-06-30" in response["Content-Disposition"]
    got = list(csv.reader(io.StringIO(response.content.decode())))
    expected = [r["vio_fam_911_mensual"] for r in rows(CALLS) if r["cve_entidad"] == "9"
                and r["fecha"][:7] in ("2020-01", "2020-02")]  # fmt: skip
    assert [r[1] for r in got[1:]] == expected
    assert got[0][-4:] == ["Ámbito", "Fuente", "Licencia", "Fecha de publicación"]
    assert got[1][-1] == "2025-06-30" and got[1][-3].startswith("Secretariado")
    assert client.get("/observatorio/oficial/sesnsp-911.csv?desde=mayo").status_code == 400
    assert client.get("/observatorio/oficial/fgj-victimas.csv").status_code == 404
    page = client.get("/observatorio/?desde=2040-01").content.decode()
    assert page.count("Esta fuente no tiene cifras en este periodo.") == 4
    bad = client.get("/observatorio/?alcaldia=99999").content.decode()
    assert "No existe “99999” en “alcaldia”" in bad and "<table" not in bad


def test_loads_are_in_the_admin_read_only() -> None:
    from django.contrib import admin

    for model in (OfficialDataset, OfficialFigure):
        model_admin = admin.site._registry[model]
        assert not model_admin.has_add_permission(None)  # type: ignore[arg-type]
        assert not model_admin.has_change_permission(None)  # type: ignore[arg-type]


def test_no_official_data_says_so() -> None:
    html = Client().get("/observatorio/").content.decode()
    assert "No se han cargado cifras oficiales." in html and "<table" not in html


def test_page_never_shows_a_victim_level_field_and_hides_small_fgj_cells(
    catalogs: None, settings: Any
) -> None:
    settings.OBSERVATORY_K = 5
    load(FGJ, "--release-date", "2022-01-15")
    source = rows(FGJ)
    client = Client()
    pages = [
        client.get(f"/observatorio/{q}").content.decode()
        for q in ("", "?alcaldia=09007", "?alcaldia=09009", "?desde=2020-01&hasta=2020-06")
    ]
    pages += [client.get(f"/observatorio/oficial/fgj-victimas.csv{q}").content.decode()
              for q in ("", "?alcaldia=09007")]  # fmt: skip
    text = "\n".join(pages)
    for row in source:
        assert row["idCarpeta"] not in text
        for column in ("latitud", "longitud"):
            assert row[column] == "NA" or row[column] not in text
        for column in ("ColoniaHechos", "Calle_hechos", "Calle_hechos2"):
            value = row[column]
            if len(value) > 3 and not value.isdigit() and value.upper() not in CODES:
                assert f">{value}<" not in text and f",{value}," not in text
    # CDMX per month: every shown figure is ≥ k and equals the independent count
    per_month: Counter[str] = Counter()
    for (month, _geo), n in fgj_expected(FGJ).items():
        per_month[month] += n
    table = pages[0].split('id="o-fgj-victimas"')[1].split("</table>")[0]
    last = r'<th scope="row">([\d-]+)</th>(?:<td>[^<]*</td>)*<td>([^<]*)</td></tr>'
    shown = dict(re.findall(last, table))
    assert len(shown) == 36
    for month, total in shown.items():
        assert total == (str(per_month[month]) if per_month[month] >= 5 else "—")
    assert {v for v in shown.values() if v != "—"} and "—" in shown.values()
    numbers = re.findall(r"<td>(\d+)</td>", table)
    assert numbers and all(int(n) >= 5 for n in numbers)
    milpa = pages[2].split('id="o-fgj-victimas"')[1].split("</table>")[0]
    assert not re.findall(r"<td>(\d+)</td>", milpa)  # two women in the sample: all hidden
    assert "Fiscalía General de Justicia de la Ciudad de México (FGJ CDMX)" in pages[0]
    assert "CC BY 4.0" in pages[0] and "menos de 5 mujeres se oculta" in pages[0]
