"""Calling the API from Python through the client `make client-python` generates: a
package in python-client/ that a project adds with `uv add ./python-client`.

The template's tests run this against a running app: `python usage.py <base url> <email>`.
"""

import sys
import uuid

from my_saas_client import AuthenticatedClient, Client
from my_saas_client.api.auth import auth_login, auth_register
from my_saas_client.api.files import files_read_file
from my_saas_client.api.users import users_read_me
from my_saas_client.models import (
    ErrorCode,
    ErrorResponse,
    LoginRequest,
    RegisterRequest,
    TokenResponse,
    UserRead,
)


def main(base_url: str, email: str) -> None:
    password = "correct horse battery staple"  # noqa: S105 (an example)
    # An answer the document does not list raises instead of passing as None.
    anyone = Client(base_url=base_url, raise_on_unexpected_status=True)

    registered = auth_register.sync_detailed(
        client=anyone, body=RegisterRequest(email=email, password=password)
    )
    assert registered.status_code == 202, registered.content

    login = auth_login.sync(client=anyone, body=LoginRequest(email=email, password=password))
    assert isinstance(login, TokenResponse), login
    user = AuthenticatedClient(
        base_url=base_url, token=login.access_token, raise_on_unexpected_status=True
    )

    me = users_read_me.sync(client=user)
    assert isinstance(me, UserRead), me
    assert me.email == email

    # Errors come back parsed, as the one envelope with a code to branch on.
    missing = files_read_file.sync(client=user, file_id=uuid.uuid4())
    assert isinstance(missing, ErrorResponse), missing
    assert missing.error.code is ErrorCode.NOT_FOUND

    invalid = auth_login.sync(
        client=anyone, body=LoginRequest(email="not an address", password=password)
    )
    assert isinstance(invalid, ErrorResponse), invalid
    assert invalid.error.code is ErrorCode.VALIDATION_ERROR
    print(f"signed up, signed in and read {me.email}; 404 and 422 came back as ErrorResponse")


if __name__ == "__main__":
    main(*sys.argv[1:])
