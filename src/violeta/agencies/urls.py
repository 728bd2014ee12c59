from django.urls import path

from violeta.agencies import views, views_passkeys

app_name = "agencies"
urlpatterns = [
    path("entrar/", views.LoginView.as_view(), name="login"),
    path("salir/", views.LogoutView.as_view(), name="logout"),
    path("verificar/", views.otp_verify, name="otp_verify"),
    path("configurar-2fa/", views.otp_setup, name="otp_setup"),
    path("llaves-de-acceso/", views_passkeys.passkey_list, name="passkeys"),
    path(
        "llaves-de-acceso/registro/opciones/",
        views_passkeys.passkey_register_options,
        name="passkey_register_options",
    ),
    path(
        "llaves-de-acceso/registro/",
        views_passkeys.passkey_register_verify,
        name="passkey_register_verify",
    ),
    path(
        "llaves-de-acceso/<int:pk>/quitar/",
        views_passkeys.passkey_remove,
        name="passkey_remove",
    ),
    path(
        "verificar/llave/opciones/",
        views_passkeys.passkey_login_options,
        name="passkey_login_options",
    ),
    path("verificar/llave/", views_passkeys.passkey_login_verify, name="passkey_login_verify"),
]
