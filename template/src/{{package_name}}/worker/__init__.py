"""Background work: `enqueue()` during a request, sent only once the transaction commits."""
