from django.urls import path

from violeta.records import views

app_name = "records"
urlpatterns = [
    path("", views.home, name="home"),
    path("buscar/", views.search, name="search"),
    path("personas/<int:person_id>/", views.person_file, name="person_file"),
    path("registros/nuevo/", views.register, name="register"),
    path("estadisticas/", views.statistics, name="statistics"),
]
