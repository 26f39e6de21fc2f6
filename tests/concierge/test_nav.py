"""The header's navigation: as many links as fit on a portrait tablet, the rest under "More", the
current page always in sight."""

import pytest
from django.urls import reverse

from concierge.extensions import NavItem
from concierge.templatetags.concierge_tags import NAV_INLINE, nav_layout

pytestmark = pytest.mark.usefixtures("english")


def items(*keys, rarely=()):
    return [NavItem(key, key.title(), f"/{key}/", key in rarely) for key in keys]


def keys(links):
    return [item.key for item in links]


def test_up_to_five_links_all_stay_in_the_row():
    links = items("overview", "members", "imports", "clientbook", "team")
    assert len(links) == NAV_INLINE
    assert nav_layout(links, "team") == {"inline": links, "more": [], "current": None}


def test_past_five_the_rarely_used_go_under_more_first():
    links = items(
        "overview", "members", "imports", "clientbook", "team", "settings", rarely=("imports", "settings")
    )
    layout = nav_layout(links, "team")
    assert keys(layout["inline"]) == ["overview", "members", "clientbook", "team"]
    assert keys(layout["more"]) == ["imports", "settings"]
    assert layout["current"] is None


def test_the_current_page_under_more_names_the_menu():
    links = items(
        "overview",
        "members",
        "imports",
        "clientbook",
        "team",
        "complaints",
        "appointments",
        "events",
        "settings",
        rarely=("imports", "settings"),
    )
    layout = nav_layout(links, "appointments")
    assert len(layout["inline"]) == NAV_INLINE - 1
    assert keys(layout["more"]) == ["imports", "complaints", "appointments", "events", "settings"]
    assert layout["current"].key == "appointments"


def test_apps_may_still_give_plain_tuples(monkeypatch):
    from concierge import extensions

    class App:
        def nav_items(self, user):
            return [("events", "Events", "/events/")]

    monkeypatch.setattr(extensions.apps, "get_app_configs", lambda: [App()])
    assert extensions.nav_items(None) == [NavItem("events", "Events", "/events/", False)]


@pytest.mark.django_db
def test_the_page_draws_the_more_menu_with_the_current_page_as_its_label(
    client_for, store_manager, monkeypatch
):
    from concierge import extensions

    extra = [NavItem(key, key.title(), "/members/") for key in ("complaints", "appointments", "events")]
    real = extensions.nav_items
    monkeypatch.setattr(extensions, "nav_items", lambda user: real(user) + extra)
    content = client_for(store_manager).get(reverse("concierge:imports")).content.decode()
    nav = content[content.index('<nav class="mainnav"') : content.index("</nav>")]
    assert '<details class="menu navmore" data-menu>' in nav
    assert '<summary class="active"><span aria-current="page">Imports</span>' in nav
    assert nav.count('href="/overview/"') == 1
    # The user's own menu holds the language and logging out, a tap away.
    assert '<details class="menu usermenu" data-menu>' in content
    assert reverse("logout") in content[content.index("usermenu") :]
