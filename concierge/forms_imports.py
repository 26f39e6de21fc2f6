from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from concierge import imports

# Bigger files take longer than a page request should: they go through the import commands.
DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def max_upload_bytes():
    return getattr(settings, "IMPORT_UPLOAD_MAX_BYTES", DEFAULT_MAX_UPLOAD_BYTES)


class ImportForm(forms.Form):
    """What to import and the file. Validates the upload only; the import itself is imports.run_import."""

    kind = forms.ChoiceField(
        label=_("What the file holds"),
        choices=imports.KIND_CHOICES,
        initial=imports.MEMBERS,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=_("CSV file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}),
        error_messages={
            "required": _("Choose a CSV file to upload."),
            "empty": _("The file is empty."),
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = max_upload_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _(
                    "The file is %(size)s; the page takes files up to %(limit)s. "
                    "Ask an administrator to run the import command (manage.py import_members "
                    "or import_purchases) for larger files."
                ),
                params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        kind, upload = cleaned.get("kind"), cleaned.get("file")
        if kind and upload:
            try:
                imports.check_file(kind, upload)
            except imports.ImportFileError as exc:
                self.add_error("file", exc.message)
        return cleaned
