from django.urls import path

from violeta.referrals import views

app_name = "referrals"
urlpatterns = [
    path("recibidas/", views.received, name="received"),
    path("enviadas/", views.sent, name="sent"),
    path("vencidas/", views.overdue, name="overdue"),
    path("nueva/<int:person_id>/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/aceptar/", views.accept, name="accept"),
    path("<int:pk>/rechazar/", views.decline, name="decline"),
    path("<int:pk>/concluir/", views.complete, name="complete"),
    path("<int:pk>/cancelar/", views.cancel, name="cancel"),
]
