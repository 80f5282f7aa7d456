from django.urls import path

from jingzhun.accounts.api.views import ObtainToken

urlpatterns = [
    # Exchange username and password for the caller's API token (`Authorization: Token …`).
    path("token/", ObtainToken.as_view(), name="api-token"),
]
