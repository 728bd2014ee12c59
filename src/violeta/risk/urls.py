from django.urls import path

from violeta.risk import views

app_name = "risk"
urlpatterns = [
    path("nueva/<int:person_id>/", views.start, name="start"),
    path("seguimiento/", views.follow_up, name="follow_up"),
    path("ajustes/", views.overrides, name="overrides"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/responder/", views.answer, name="answer"),
    path("<int:pk>/nivel/", views.override, name="override"),
    path("<int:pk>/decidir/", views.decide, name="decide"),
]
