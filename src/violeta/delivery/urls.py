from django.urls import path

from violeta.delivery import views

app_name = "delivery"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("lista/", views.inbox_fragment, name="inbox_fragment"),
    path("no-leidos/", views.inbox_count, name="inbox_count"),
    path("<int:message_id>/abrir/", views.inbox_open, name="inbox_open"),
    path("marcar-leidos/", views.inbox_read_all, name="inbox_read_all"),
    path("entregas-fallidas/", views.troubled, name="troubled"),
    path("entregas-fallidas/<int:delivery_id>/reintentar/", views.retry, name="retry"),
]
