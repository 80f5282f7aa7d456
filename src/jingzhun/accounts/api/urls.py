from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token

urlpatterns = [
    # Exchange username and password for the caller's API token (`Authorization: Token …`).
    path("token/", obtain_auth_token, name="api-token"),
]
