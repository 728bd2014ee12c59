from django.urls import path

from violeta.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.search, name="search"),
    path("verificar/", views.verify, name="verify"),
]
