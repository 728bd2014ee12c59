from django.urls import path

from violeta.alerts import views

app_name = "alerts"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("supervision/", views.supervise, name="supervise"),
    path("reglas/", views.rules, name="rules"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/enterada/", views.acknowledge, name="acknowledge"),
    path("<int:pk>/cerrar/", views.close, name="close"),
]
