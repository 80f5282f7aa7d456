"""The token endpoint: DRF's ObtainAuthToken with the login lockout answered (issue #11 item 11)."""

from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.request import Request
from rest_framework.response import Response

from jingzhun.accounts.lockout import locked_out
from jingzhun.accounts.services import issue_token


class ObtainToken(ObtainAuthToken):
    """Exchange username and password for the caller's API token (`Authorization: Token …`).

    Repeated failures lock the username at the caller's address (429)."""

    # The serializer calls authenticate(request=...) with DRF's request, so django-axes counts
    # the failures; it marks that wrapper, not the Django request its middleware sees, as locked
    # out, hence the check here.
    def post(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except Exception:
            if getattr(request, "axes_locked_out", False):
                return locked_out(request._request)
            raise
        # An expired token is replaced, not handed out again (accounts/authentication.py).
        token = issue_token(serializer.validated_data["user"])
        return Response({"token": token.key})
