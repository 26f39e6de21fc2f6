"""Two tablets tapping at once, for real: threads on their own PostgreSQL connections.

`race(*calls)` releases the calls together and makes every row lock they take last a moment
(`hold` seconds after each SELECT ... FOR UPDATE), so a test can assert that the calls really ran
at the same time, and not one after the other by luck of the scheduler.
"""

import threading
import time
from dataclasses import dataclass, field

from django.db import connection
from django.utils import translation

from concierge.errors import ActionRefused


@dataclass
class Race:
    results: list = field(default_factory=list)
    refusals: list = field(default_factory=list)
    spans: list = field(default_factory=list)

    @property
    def overlapped(self):
        """Every call started before any of them finished."""
        return max(start for start, _end in self.spans) < min(end for _start, end in self.spans)


def race(*calls, hold=0.2):
    barrier = threading.Barrier(len(calls))
    outcome = Race()
    errors = []
    lock = threading.Lock()

    def hold_locks(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if "FOR UPDATE" in sql:
            time.sleep(hold)
        return result

    def run(call):
        try:
            barrier.wait()
            start = time.monotonic()
            try:
                with translation.override("en"), connection.execute_wrapper(hold_locks):
                    result = call()
                with lock:
                    outcome.results.append(result)
            except ActionRefused as exc:
                with lock:
                    outcome.refusals.append(exc.message)
            finally:
                with lock:
                    outcome.spans.append((start, time.monotonic()))
        except Exception as exc:  # surfaced below: a crash is not a refusal
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return outcome
