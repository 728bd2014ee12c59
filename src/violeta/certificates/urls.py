from django.urls import path

from violeta.certificates import views

app_name = "certificates"
urlpatterns = [
    path("verificar/", views.verify, name="verify"),
    path("nueva/<int:person_id>/", views.issue, name="issue"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/pdf/", views.download, name="download"),
    path("<str:code>/revocar/", views.revoke, name="revoke"),
]
