from django.urls import path

from violeta.linkage import views

app_name = "linkage"
urlpatterns = [
    path("revision/", views.queue, name="queue"),
    path("revision/<int:pair_id>/", views.pair, name="pair"),
    path("separar/<int:identity_id>/", views.split, name="split"),
    path("sin-vincular/", views.unlinked, name="unlinked"),
    path("sin-vincular/<int:identity_id>/", views.unlinked_record, name="unlinked_record"),
]
