"""Forms for the store manager's care setup: message templates, etiquette word lists, holidays.

They validate input only; the views write, in one transaction, with who changed what and when.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from concierge.forms_params import BoundedDateField
from tasks import etiquette, messages
from tasks.models import Holiday

MAX_TEMPLATE_LENGTH = 1000


class MessageTemplateForm(forms.Form):
    """A store's wording for one purpose and language. Refused when it breaks the etiquette."""

    body = forms.CharField(
        label=_("Message"),
        max_length=MAX_TEMPLATE_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write the message, or go back to the built-in one.")},
    )

    def __init__(self, *args, store, purpose, language, **kwargs):
        super().__init__(*args, **kwargs)
        self.store, self.purpose, self.language = store, purpose, language

    def clean_body(self):
        body = self.cleaned_data["body"].replace("\r\n", "\n")
        errors = [
            ValidationError(
                _("“{%(name)s}” cannot be filled in: use {member}, {store}, {staff} or {occasion}."),
                params={"name": name},
            )
            for name in messages.unknown_placeholders(body)
        ]
        # Checked as written: the placeholders stand for the names, so the signature must be made of them.
        for warning in etiquette.check_message(
            body,
            self.purpose,
            store=self.store,
            language=self.language,
            staff_name="{staff}",
            store_name="{store}",
        ):
            if warning.code == "signature":
                errors.append(
                    ValidationError(
                        _("End with the signature {store} {staff}: each sender's name is filled in there.")
                    )
                )
            else:
                errors.append(ValidationError(warning.message))
        if errors:
            raise ValidationError(errors)
        return body


class WordListForm(forms.Form):
    """One etiquette rule's words for one language, one per line."""

    words = forms.CharField(
        label=_("Words and phrases, one per line"),
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Keep at least one word, or go back to the built-in list.")},
    )

    def clean_words(self):
        words = etiquette.parse_words(self.cleaned_data["words"])
        if not words:
            raise ValidationError(_("Keep at least one word, or go back to the built-in list."))
        too_long = [word for word in words if len(word) > etiquette.MAX_WORD_LENGTH]
        if too_long:
            raise ValidationError(
                [
                    ValidationError(
                        _("“%(word)s” is longer than %(max)d characters: list words and short phrases."),
                        params={"word": word[:50], "max": etiquette.MAX_WORD_LENGTH},
                    )
                    for word in too_long
                ]
            )
        return "\n".join(words)


class HolidayForm(forms.ModelForm):
    """Add one of the store's own dates, or rename, move or switch greetings on a holiday.

    A date in the past is refused when it is new (the greeting would never be sent); an unchanged
    past date may stay, so a festival earlier this year can still be renamed or switched off.
    """

    class Meta:
        model = Holiday
        fields = ["name", "date", "greet"]
        field_classes = {"date": BoundedDateField}
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        error_messages = {
            "name": {"required": _("Give the date a name.")},
            "date": {"required": _("Choose the date."), "invalid": _("Enter a date.")},
        }

    def __init__(self, *args, store, **kwargs):
        super().__init__(*args, **kwargs)
        self.store = store
        self.fields["name"].widget.attrs["maxlength"] = Holiday._meta.get_field("name").max_length
        if self.instance.pk is None:
            # Adding: greetings are what a date is added for.
            del self.fields["greet"]

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean_date(self):
        date = self.cleaned_data["date"]
        moved = self.instance.pk is None or date != self.instance.date
        if moved and date < timezone.localdate():
            raise ValidationError(_("That date has passed: choose today or a later date."))
        return date

    def clean(self):
        data = super().clean()
        name, date = data.get("name"), data.get("date")
        if name and date:
            same = Holiday.objects.filter(store=self.store, name=name, date=date).exclude(pk=self.instance.pk)
            if same.exists():
                self.add_error("name", _("%(name)s is already on %(date)s.") % {"name": name, "date": date})
        return data


class GreetingsForm(forms.Form):
    """The one-tap switch on a holiday: "on" switches greetings on, anything else off."""

    greet = forms.CharField(required=False, max_length=10)

    def switched_on(self):
        return self.is_valid() and self.cleaned_data["greet"] == "on"
