"""Authentication: passwords, server-side sessions and role checks."""
