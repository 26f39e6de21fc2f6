"""The revival dashboard's one input: which campaign to show."""

from django import forms
from django.utils.translation import gettext_lazy as _

from concierge.forms_params import IdField


class CampaignPickForm(forms.Form):
    """The campaign the dashboard shows; its choices are the store's campaigns, newest first. An id
    that is no campaign of the store is answered by the view with a 404, as a path id would be."""

    campaign = IdField(label=_("Campaign"), required=False, widget=forms.Select)

    def __init__(self, *args, campaigns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].widget.choices = [
            (campaign.pk, _campaign_label(campaign)) for campaign in campaigns
        ]


def _campaign_label(campaign):
    period = f"{campaign.start:%Y-%m-%d} ~ {campaign.end:%Y-%m-%d}"
    return f"{campaign.name} · {period} · {campaign.get_state_display()}"
