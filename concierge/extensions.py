"""How the workflow apps add to the core's pages without the core importing them.

An app's AppConfig may define any of these methods; the core asks every installed app in
INSTALLED_APPS order, as the admin finds `admin.py`:

- `nav_items(user)` -> [NavItem(key, label, url)] (or plain (key, label, url) tuples): links in the
  header, after the core's own. `rarely_used=True` puts a link first in line for the "More" menu
  when the header is full.
- `home_url(user)` -> a URL or None: where this user's day starts; the first app to answer wins.
- `member_sections(request, member)` -> [html]: cards on the member profile (complaints,
  appointments, care tasks...), rendered by the app with its own template.
- `member_alerts(user, member)` -> [MemberAlert(text, url, level)] (or plain tuples): short lines
  staff must read before they contact the member ("Open complaint #12: product quality, since
  11-28 — no sales talk"), shown in the cheat sheet of a care task. `level` is "warning" for what
  changes how to talk to them, "info" for what is merely good to know. A query or two, no more:
  the cheat sheet opens in place while the user waits.
- `care_task_sections(request, task)` -> [html]: parts of a care task's panel that another app
  knows about (the member's complaint history on a dormant review), rendered by the app with its
  own template and placed below the cheat sheet. The app decides by `task.kind` whether it has
  anything to add.
- `next_steps(user, member_ids)` -> {member_id: NextStep}: what this user has coming up with each
  of these members (the next care task, the next appointment...), for lists such as "My VIPs". One
  or two queries for the whole list, never one per member.
- `purchases_recorded(store, purchase_ids, members)`: purchases (and returns) were just recorded
  for the store, by the till's API or the CSV import, in the transaction still open: what else they
  set off (a revival's credit, or a return taking one back) happens here, in that same transaction.
  `purchase_ids` are ids, a queryset of their pks, or a function that returns either (so that
  a caller's query is built only when a hook needs it); `members` the ids of their members, or
  None when the caller does not know them. A few queries per call whatever its size, and one cheap
  one when none of these members concerns the app: a till calls it for every purchase.
- `seed_demo(store, today)`: the app's own part of the demo store, once the core's members,
  purchases and VIP managers are in place (`manage.py seed_demo`).
- `wipe_demo(store)`: remove the app's records of the demo store that would keep its purchases,
  members or staff (`manage.py seed_demo --force`, before the core removes its own).
- `role_permissions` -> {Role: ["app_label.codename", ...]}: what each role's group may do in
  this app, added to the core's ROLE_PERMISSIONS when the groups are synced.
- `setup_pages(user)` -> [NavItem]: the app's own pages in the store's Settings, shown in its bar
  after the core's pages (the store's set-up is one place for the store manager).
- `setup_changes` -> {audit code: label}: the app's set-up changes, listed on the Settings' "Recent
  changes" page with the core's (every code that starts like one listed, "app_setup.", is shown);
  `setup_change_details(entry)` -> text or "" says what one of them changed, and
  `setup_change_subject(entry)` -> text or "" what it changed (else the entry's object is named).
"""

import datetime as dt
from typing import NamedTuple

from django.apps import apps


class NavItem(NamedTuple):
    key: str
    label: str
    url: str
    rarely_used: bool = False


class NextStep(NamedTuple):
    """One thing coming up with a member: shown as "<label> · <due>"; `late` when its day has passed."""

    when: dt.date
    label: str
    late: bool = False


class MemberAlert(NamedTuple):
    """A line about a member for whoever is about to contact them; `url` opens the matter."""

    text: str
    url: str = ""
    level: str = "warning"


def _hooks(name):
    for config in apps.get_app_configs():
        hook = getattr(config, name, None)
        if callable(hook):
            yield hook


def nav_items(user):
    return [NavItem(*item) for hook in _hooks("nav_items") for item in hook(user)]


def home_url(user):
    for hook in _hooks("home_url"):
        url = hook(user)
        if url:
            return url
    return None


def member_sections(request, member):
    return [html for hook in _hooks("member_sections") for html in hook(request, member)]


def member_alerts(user, member):
    """Every app's lines about this member, warnings first (in app order within each level)."""
    alerts = [MemberAlert(*item) for hook in _hooks("member_alerts") for item in hook(user, member)]
    return sorted(alerts, key=lambda item: item.level != "warning")


def care_task_sections(request, task):
    return [html for hook in _hooks("care_task_sections") for html in hook(request, task)]


def next_steps(user, member_ids):
    """{member_id: the soonest NextStep any app has for it}; members with none are left out."""
    soonest = {}
    member_ids = list(member_ids)
    if not member_ids:
        return soonest
    for hook in _hooks("next_steps"):
        for member_id, step in hook(user, member_ids).items():
            if member_id not in soonest or step.when < soonest[member_id].when:
                soonest[member_id] = step
    return soonest


def purchases_recorded(store, purchase_ids, members=None):
    for hook in _hooks("purchases_recorded"):
        hook(store, purchase_ids, members)


def seed_demo(store, today):
    for hook in _hooks("seed_demo"):
        hook(store, today)


def wipe_demo(store):
    for hook in _hooks("wipe_demo"):
        hook(store)


def role_permissions(core):
    """The core's permissions per role with every app's `role_permissions` added."""
    merged = {role: list(names) for role, names in core.items()}
    for config in apps.get_app_configs():
        for role, names in (getattr(config, "role_permissions", None) or {}).items():
            merged.setdefault(role, []).extend(name for name in names if name not in merged[role])
    return merged


def setup_pages(user):
    return [NavItem(*item) for hook in _hooks("setup_pages") for item in hook(user)]


def setup_changes():
    """{audit code: label} of every app's set-up changes."""
    labels = {}
    for config in apps.get_app_configs():
        labels.update(getattr(config, "setup_changes", None) or {})
    return labels


def setup_change_details(entry):
    """What an app's set-up change changed, in words, from the app that wrote it."""
    for hook in _hooks("setup_change_details"):
        text = hook(entry)
        if text:
            return text
    return ""


def setup_change_subject(entry):
    for hook in _hooks("setup_change_subject"):
        text = hook(entry)
        if text:
            return text
    return ""
