"""LLM chat: `POST /ai/chat`, JSON or streamed as Server-Sent Events, over several providers."""
