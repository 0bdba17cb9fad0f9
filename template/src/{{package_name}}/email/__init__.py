"""Transactional email: `send_email()` renders a template and queues its delivery."""
