from django.urls import path

from violeta.exports import views

app_name = "exports"
urlpatterns = [
    path("expediente/<int:person_id>/", views.person_export, name="person_file"),
    path("banavim/", views.national_registry, name="banavim"),
]
