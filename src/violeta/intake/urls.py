from django.urls import path

from violeta.intake import views

app_name = "intake"
urlpatterns = [
    path("", views.upload, name="upload"),
    path("<int:job_id>/", views.job, name="job"),
    path("<int:job_id>/estado/", views.job_fragment, name="job_fragment"),
    path("<int:job_id>/rechazos.csv", views.rejections_csv, name="rejections"),
]
