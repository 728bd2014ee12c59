from django.urls import include, path

from violeta.observatory import history, official, opendata, views

app_name = "observatory"
urlpatterns = [
    path("", views.observatory, name="home"),
    path("api/v1/", include("violeta.observatory.api_urls")),
    path("datos/cifras.csv", opendata.figures_csv, name="figures_csv"),
    path("datos/cifras.json", opendata.figures_json, name="figures_json"),
    path("datos/diccionario.csv", opendata.dictionary_csv, name="dictionary"),
    path("datos/datapackage.json", opendata.datapackage, name="datapackage"),
    path("oficial/<slug:source>.csv", official.official_csv, name="official_csv"),
    path("publicaciones/", history.releases, name="releases"),
    path("datos/publicaciones.json", history.releases_json, name="releases_json"),
    path("<slug:slug>.csv", views.table_csv, name="csv"),
]
