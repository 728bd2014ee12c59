from django.urls import path

from violeta.agencies import views

app_name = "agencies"
urlpatterns = [
    path("entrar/", views.LoginView.as_view(), name="login"),
    path("salir/", views.LogoutView.as_view(), name="logout"),
    path("verificar/", views.otp_verify, name="otp_verify"),
    path("configurar-2fa/", views.otp_setup, name="otp_setup"),
]
