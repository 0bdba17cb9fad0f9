"""The garbage collector set for a long-running server: what exists once the app has
started lives as long as the process, and what a request makes dies young."""

import gc

# CPython collects its youngest generation after 700 net allocations of container
# objects. A request makes hundreds: with that default an authenticated request on
# PostgreSQL took about a quarter more CPU (docs/architecture.md, "Start-up").
YOUNG_GENERATION_THRESHOLD = 10_000

_settled = False


def settle_heap() -> None:
    """Once per process, when the app has started: collect what start-up left behind,
    move every object still alive to the permanent generation (`gc.freeze`), which full
    collections no longer walk (the modules, routes, models and clients of the app), and
    collect the youngest generation less often. Reference cycles are still collected."""
    global _settled
    if _settled:
        return
    _settled = True
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, middle, oldest)
