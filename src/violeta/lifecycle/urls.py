from django.urls import path

from violeta.lifecycle import views

app_name = "lifecycle"
urlpatterns = [
    path("", views.register, name="register"),
    path("personas/<int:person_id>/rectificar/", views.rectify, name="rectify"),
    path("personas/<int:person_id>/solicitud/", views.request_new, name="request_new"),
    path("<int:request_id>/responder/", views.answer, name="answer"),
]
