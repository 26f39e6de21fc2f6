"""The reception's time-driven work, registered with concierge.jobs (imported from there)."""

from concierge.appointments import arrivals, visits  # noqa: F401  (their @job functions register on import)
