from django.urls import path

from violeta.observatory import views

app_name = "observatory"
urlpatterns = [
    path("", views.observatory, name="home"),
    path("<slug:slug>.csv", views.table_csv, name="csv"),
]
