"""Speech-to-text and text-to-speech over OpenAI-compatible audio endpoints."""
