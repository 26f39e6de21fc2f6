"""How the workflow apps add to the core's pages without the core importing them.

An app's AppConfig may define any of these methods; the core asks every installed app in
INSTALLED_APPS order, as the admin finds `admin.py`:

- `nav_items(user)` -> [(key, label, url)]: links in the header, after the core's own.
- `home_url(user)` -> a URL or None: where this user's day starts; the first app to answer wins.
- `member_sections(request, member)` -> [html]: cards on the member profile (complaints,
  appointments, care tasks...), rendered by the app with its own template.
"""

from django.apps import apps


def _hooks(name):
    for config in apps.get_app_configs():
        hook = getattr(config, name, None)
        if callable(hook):
            yield hook


def nav_items(user):
    return [item for hook in _hooks("nav_items") for item in hook(user)]


def home_url(user):
    for hook in _hooks("home_url"):
        url = hook(user)
        if url:
            return url
    return None


def member_sections(request, member):
    return [html for hook in _hooks("member_sections") for html in hook(request, member)]
