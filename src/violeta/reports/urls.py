from django.urls import path

from violeta.reports import views_public, views_staff, whatsapp

app_name = "reports"
urlpatterns = [
    path("denuncia/", views_public.report_form, name="form"),
    path("denuncia/enviada/", views_public.report_created, name="created"),
    path("denuncia/seguimiento/", views_public.followup, name="followup"),
    path("denuncia/whatsapp/webhook", whatsapp.webhook, name="whatsapp_webhook"),
    path("salir/", views_public.quick_exit, name="quick_exit"),
    path("denuncias/", views_staff.queue, name="queue"),
    path("denuncias/<int:pk>/", views_staff.detail, name="detail"),
    path("denuncias/<int:pk>/estado/", views_staff.change_status, name="status"),
    path("denuncias/<int:pk>/responder/", views_staff.answer, name="answer"),
]
