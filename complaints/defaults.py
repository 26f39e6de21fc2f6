"""What every store starts with: the built-in categories and a default team."""

from django.utils import translation
from django.utils.translation import gettext as _

from complaints.models import Category, Team
from complaints.models.setup import BUILT_IN_CATEGORIES


def give_store_defaults(store_id, *, language=None):
    Category.objects.bulk_create(
        [
            Category(store_id=store_id, code=code, position=index * 10)
            for index, (code, _label) in enumerate(BUILT_IN_CATEGORIES)
        ],
        ignore_conflicts=True,
    )
    if not Team.objects.filter(store_id=store_id, is_default=True).exists():
        from concierge.models import Store

        store = Store.objects.filter(pk=store_id).first()
        with translation.override(language or (store.default_language if store else None)):
            Team.objects.create(store_id=store_id, name=_("Customer service"), is_default=True)
