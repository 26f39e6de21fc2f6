"""The revival jobs register with `@job` in their own modules; importing them here lets `tick`
find them (tasks/jobs.py imports this module)."""

from tasks.revival import campaigns, credit  # noqa: F401
