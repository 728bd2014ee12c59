from django.urls import path

from violeta.safetyplan import views

app_name = "safetyplan"
urlpatterns = [
    path("nuevo/<int:person_id>/", views.create, name="create"),
    path("<int:plan_id>/", views.detail, name="detail"),
    path("<int:plan_id>/version/<int:number>/", views.detail, name="version"),
    path("<int:plan_id>/editar/", views.edit, name="edit"),
    path("<int:plan_id>/pdf/", views.pdf, name="pdf"),
    path("<int:plan_id>/version/<int:number>/pdf/", views.pdf, name="version_pdf"),
]
