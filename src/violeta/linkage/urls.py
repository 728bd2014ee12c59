from django.urls import path

from violeta.linkage import views

app_name = "linkage"
urlpatterns = [
    path("revision/", views.queue, name="queue"),
    path("revision/<int:pair_id>/", views.pair, name="pair"),
    path("separar/<int:identity_id>/", views.split, name="split"),
]
