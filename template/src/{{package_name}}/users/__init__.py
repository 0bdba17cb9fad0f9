"""User accounts: the profile of the signed-in user and the admin listing."""
