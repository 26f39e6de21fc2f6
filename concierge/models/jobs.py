from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobRun(models.Model):
    """A daily job that finished for a local date: later ticks that day skip it.

    Written after the job succeeds, so a job that failed half-way runs again at the next tick (every
    job is idempotent). Two ticks at once may both run it; the jobs' own constraints make that safe.
    """

    name = models.CharField(_("job"), max_length=120)
    day = models.DateField(_("day"))
    finished_at = models.DateTimeField(_("finished"), default=timezone.now)
    summary = models.JSONField(_("summary"), default=dict, blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-day", "name"]
        constraints = [models.UniqueConstraint(fields=["name", "day"], name="one_job_run_per_day")]

    def __str__(self):
        return f"{self.name} {self.day}"
