from django.urls import path

from violeta.cases import views

app_name = "cases"
urlpatterns = [
    path("supervision/", views.supervised, name="supervised"),
    path("<int:case_id>/cerrar/", views.close, name="close"),
]
