from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Django's sign-in, with the shared-tablet choice: this session ends when the browser closes."""

    shared_tablet = forms.BooleanField(
        label=_("Shared tablet: sign me out when the browser closes"), required=False
    )
