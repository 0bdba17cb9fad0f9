"""Every combination of the four questions, and what each one must never contain."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

PAYMENT_PROVIDERS = ("none", "stripe", "lemonsqueezy")
STORAGE_BACKENDS = ("local", "s3")
QUEUES = ("none", "celery")
AI_CHOICES: tuple[tuple[str, ...], ...] = ((), ("llm",), ("audio",), ("llm", "audio"))


@dataclass(frozen=True)
class Combination:
    payment_provider: str
    storage_backend: str
    queue: str
    ai_integrations: tuple[str, ...]

    @property
    def id(self) -> str:
        ai = "+".join(self.ai_integrations) or "noai"
        return f"{self.payment_provider}-{self.storage_backend}-{self.queue}-{ai}"

    @property
    def answers(self) -> dict[str, object]:
        return {
            "payment_provider": self.payment_provider,
            "storage_backend": self.storage_backend,
            "queue": self.queue,
            "ai_integrations": list(self.ai_integrations),
        }

    @property
    def weight(self) -> int:
        """Roughly how long its deep check takes, for scheduling the longest first.

        Measured: the Celery worker tests weigh most, then each AI integration, then S3
        and billing.
        """
        return (
            2 * (self.queue == "celery")
            + len(self.ai_integrations)
            + (self.storage_backend == "s3")
            + (self.payment_provider != "none")
        )

    def forbidden_tokens(self) -> dict[str, re.Pattern[str]]:
        """Words that name an integration this combination switched off."""
        off: dict[str, str] = {}
        if self.payment_provider == "none":
            off["billing"] = r"billing|subscription"
        if self.payment_provider != "stripe":
            off["stripe"] = r"stripe"
        if self.payment_provider != "lemonsqueezy":
            off["lemonsqueezy"] = r"lemon[ _-]?squeezy"
        if self.storage_backend != "s3":
            off["s3"] = r"\bs3\b|boto3|botocore|presigned"
        if self.queue != "celery":
            off["celery"] = r"celery|beat_schedule"
        if "llm" not in self.ai_integrations:
            off["llm"] = r"\bllm\b|anthropic|chat completion"
        if "audio" not in self.ai_integrations:
            off["audio"] = r"\baudio\b|transcri|text-to-speech"
        if not self.ai_integrations:
            off["ai"] = r"\bai\b|openai|usage_record|ai_tokens|ai_audio|ai_cost|monthly quota"
        return {name: re.compile(pattern, re.IGNORECASE) for name, pattern in off.items()}


ALL = tuple(
    Combination(payment, storage, queue, ai)
    for payment, storage, queue, ai in itertools.product(
        PAYMENT_PROVIDERS, STORAGE_BACKENDS, QUEUES, AI_CHOICES
    )
)
DEFAULT = Combination("stripe", "local", "celery", ("llm",))
