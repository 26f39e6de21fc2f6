"""How the workflow apps add to the core's pages without the core importing them.

An app's AppConfig may define any of these methods; the core asks every installed app in
INSTALLED_APPS order, as the admin finds `admin.py`:

- `nav_items(user)` -> [(key, label, url)]: links in the header, after the core's own.
- `home_url(user)` -> a URL or None: where this user's day starts; the first app to answer wins.
- `member_sections(request, member)` -> [html]: cards on the member profile (complaints,
  appointments, care tasks...), rendered by the app with its own template.
- `role_permissions` -> {Role: ["app_label.codename", ...]}: what each role's group may do in
  this app, added to the core's ROLE_PERMISSIONS when the groups are synced.
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


def role_permissions(core):
    """The core's permissions per role with every app's `role_permissions` added."""
    merged = {role: list(names) for role, names in core.items()}
    for config in apps.get_app_configs():
        for role, names in (getattr(config, "role_permissions", None) or {}).items():
            merged.setdefault(role, []).extend(name for name in names if name not in merged[role])
    return merged
