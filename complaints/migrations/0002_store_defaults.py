from django.conf import settings
from django.db import migrations

BUILT_IN = ("product_quality", "service_attitude", "after_sales", "price", "environment", "parking", "other")
TEAM_NAME = {"zh-hans": "客服部", "en": "Customer service"}


def give_defaults(apps, schema_editor):
    """Stores that existed before complaints start with the built-in categories and a default team."""
    Store = apps.get_model("concierge", "Store")
    Category = apps.get_model("complaints", "Category")
    Team = apps.get_model("complaints", "Team")
    for store in Store.objects.all():
        for index, code in enumerate(BUILT_IN):
            Category.objects.get_or_create(store=store, code=code, defaults={"position": index * 10})
        if not Team.objects.filter(store=store, is_default=True).exists():
            language = (store.language or settings.LANGUAGE_CODE).lower()
            Team.objects.create(store=store, name=TEAM_NAME.get(language, TEAM_NAME["en"]), is_default=True)


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0001_initial"),
        ("concierge", "0012_opening_hours_days_off"),
    ]

    operations = [migrations.RunPython(give_defaults, migrations.RunPython.noop, elidable=True)]
