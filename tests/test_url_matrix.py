"""Every URL of the project, as every persona, with the objects of their store, of another store and
with ids no row has: no 500, nobody reads or changes another store, nobody but a superuser gets
into Django's admin, nobody escalates.

The URLs are walked from the URLconf (tests/two_stores.py): a page added later is covered as soon
as it is routed, and a path parameter the registries cannot fill fails with where to add it.
"""

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.urls import reverse

from concierge.models import AuditEntry, Staff, Store, Tier, TierProgram
from tests.helpers import HTMX
from tests.two_stores import (
    PERSONAS,
    STORE_A_ROLES,
    filler,
    post_data,
    project_apps,
    routes,
    world_for_the_module,
)

pytestmark = pytest.mark.django_db

# Pages anyone may open before logging in; the tills' API answers 401 (JSON) without its token.
PUBLIC = {"login", "logout", "set_language", "admin:login", "concierge:api_purchases"}
# Every other admin page sends a non-superuser to the admin's login page (logging out of the admin
# goes to its index first, which does the same).
ADMIN_OPEN_TO_ALL = {"admin:login", "admin:logout"}
LOGOUTS = {"logout", "admin:logout"}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    yield from world_for_the_module(django_db_blocker)


def _scoped(model, store):
    """The rows of `model` that belong to `store` (the whole table for rows no store owns)."""
    fields = {field.name for field in model._meta.get_fields()}
    if model is Store:
        return model.objects.filter(pk=store.pk)
    if model is TierProgram:
        return model.objects.filter(pk=store.tier_program_id)
    if model is Tier:
        return model.objects.filter(program_id=store.tier_program_id)
    for path in ("store", "member__store", "recipient__store", "staff__store"):
        if path.split("__")[0] in fields:
            return model.objects.filter(**{path: store})
    return model.objects.all()


def snapshot(store):
    """Everything of one store as it is in the database, for comparing before and after a request."""
    models = [model for config in project_apps() for model in config.get_models()]
    rows = {model.__name__: sorted(map(repr, _scoped(model, store).values_list())) for model in models}
    rows["staff groups"] = sorted(
        Staff.groups.through.objects.filter(staff__store=store).values_list("staff_id", "group_id")
    )
    rows["group permissions"] = sorted(
        Group.permissions.through.objects.values_list("group_id", "permission_id")
    )
    rows["superusers"] = sorted(Staff.objects.filter(is_superuser=True).values_list("pk", flat=True))
    return rows


def changed(before, after):
    return sorted(key for key in before if before[key] != after[key])


def send(client, method, path, data, htmx):
    """One request in a savepoint: a database error must not poison the requests after it."""
    headers = HTMX if htmx else {}
    try:
        with transaction.atomic():
            if method == "GET":
                return client.get(path, **headers)
            return client.post(path, data, **headers)
    except Exception as exc:
        return exc


# Django's admin turns every non-superuser away before any of its views runs. All of its URLs are
# tried by anonymous, the store's administrator and the superuser; the other roles try its index
# and the staff form (where a user would make itself superuser).
ADMIN_FOR_ALL_ROLES = {"admin:index", "admin:concierge_staff_change"}
# Fragments are tried by the roles with the most pages, and by the other store's manager (the form
# fuzzing posts every form with and without htmx too).
HTMX_PERSONAS = {"vip_manager", "store_manager", "other_manager"}
# Store B's objects and ids no row has are tried by the roles whose pages take ids of every kind;
# the other store's manager covers a manager's pages across stores.
ACROSS_PERSONAS = {"vip_manager", "store_manager", "admin"}


def plan(persona, world):
    """(label, store whose objects fill the URL, htmx, which admin URLs) for each pass.

    Store B's manager works on store A's objects; store A's staff on their own, on store B's, and
    on ids no row has.
    """
    all_admin = "all" if persona in ("anonymous", "admin", "superuser") else "some"
    if persona == "anonymous":
        return [("A", world.a, False, all_admin)]
    if persona == "superuser":
        return [("A", world.a, False, all_admin), ("missing", None, False, "some")]
    passes = [("A", world.a, False, all_admin)]
    if persona in HTMX_PERSONAS:
        passes.append(("A", world.a, True, "none"))
    if persona in ACROSS_PERSONAS:
        passes += [("B", world.b, False, "none"), ("missing", None, False, "none")]
    return passes


def check(persona, user, world, route, label, store, method, response):
    """What is wrong with one response, if anything."""
    if isinstance(response, Exception):
        return f"raised {type(response).__name__}: {response}"
    status = response.status_code
    if status >= 500:
        return f"status {status}"
    location = response.get("Location", "")
    if persona == "anonymous" and route.name not in PUBLIC:
        logins = (reverse("login"), reverse("admin:login"))
        if not (status == 302 and location.startswith(logins)):
            return f"anonymous got {status} {location}, not the login page"
    in_admin = route.is_admin and route.name not in ADMIN_OPEN_TO_ALL
    sent_to_login = status == 302 and location.startswith(reverse("admin:login"))
    if in_admin and user is not None and not user.is_superuser and not sent_to_login:
        return f"a non-superuser got {status} {location} from Django's admin"
    # Whatever the URL was filled with, a store's staff never see the other store's members.
    foreign = world.a if persona == "other_manager" else world.b
    if user is not None and not user.is_superuser:
        content = response.content.decode(errors="replace")
        leaked = [secret for secret in foreign.secrets if secret in content]
        if leaked:
            return f"another store's data in the page: {leaked[:3]}"
    return None


# Django's admin answers every non-superuser the same way before any of its views runs: these
# posts (the ways to change rows or accounts) are enough to show it.
ADMIN_POSTS = ("_add", "_change", "_delete", "password_change")


def requests(persona, route, admin, htmx=False):
    """The methods to try on one route in one pass."""
    if htmx and persona != "other_manager":
        return () if route.is_admin else ("GET",)  # their posts are fuzzed with htmx already
    if route.is_admin and (admin == "none" or (admin == "some" and route.name not in ADMIN_FOR_ALL_ROLES)):
        return ()
    if route.is_admin and (persona == "superuser" or not route.name.endswith(ADMIN_POSTS)):
        # A superuser may change anything there: posting would only delete the test's rows.
        return ("GET",)
    return ("GET", "POST")


@pytest.mark.parametrize("persona", PERSONAS)
def test_url_matrix(world, client, persona):
    user = world.persona(persona)
    groups_before = set(user.groups.values_list("pk", flat=True)) if user else set()
    if user:
        client.force_login(user)
    problems = []
    for label, store, htmx, admin in plan(persona, world):
        cross = user is not None and store is not None and store is not _own(persona, world)
        # Another store's rows, compared after every post made with its objects (an htmx post
        # writes what a plain one does: compared once).
        cross = cross and not htmx
        # Compared once a pass, not after every post (a snapshot reads every table of the store):
        # a change names its tables and the posts that could have made it.
        before = snapshot(store.store) if cross else None
        # Between the snapshots, each post is checked for an audited change to that store (one cheap
        # count): it names the post, and catches a change a later post of the pass undoes.
        audited = _audited(store.store) if cross else None
        posts = []
        for route in routes():
            if label == "missing" and not route.parameters:
                continue  # the same request as with store A's objects
            path = route.path(filler(store))
            for method in requests(persona, route, admin, htmx):
                data = post_data(route, world, store or world.a) if method == "POST" else {}
                response = send(client, method, path, data, htmx)
                problem = check(persona, user, world, route, label, store, method, response)
                if method == "POST":
                    posts.append(path)
                    if cross and _audited(store.store) != audited:
                        problem = problem or "made an audited change to another store's rows"
                        audited = _audited(store.store)
                if problem:
                    how = f"{method} htmx" if htmx else method
                    problems.append(f"{persona} {how} {path} ({route}): {problem}")
                if route.name in LOGOUTS and user:
                    client.force_login(user)
        if cross:
            after = snapshot(store.store)
            if after != before:
                problems.append(
                    f"{persona} changed another store's rows ({changed(before, after)}) with one of "
                    f"these posts: {', '.join(posts)}"
                )
    if user:
        user.refresh_from_db()
        assert user.is_superuser == (persona == "superuser")
        assert set(user.groups.values_list("pk", flat=True)) == groups_before
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


def _audited(store):
    return AuditEntry.objects.filter(store=store).count()


def _own(persona, world):
    return world.b if persona == "other_manager" else world.a


def test_every_routed_url_can_be_filled(world):
    """A new URL whose parameter the registries cannot fill fails here, saying where to add it."""
    paths = [route.path(filler(world.a)) for route in routes()]
    assert "/admin/" in paths
    assert f"/members/{world.a.member.pk}/" in paths
    assert f"/tasks/{world.a.task.pk}/" in paths


def test_the_matrix_covers_the_app_and_the_admin():
    names = {route.name for route in routes()}
    assert {
        "login",
        "logout",
        "set_language",
        "admin:index",
        "concierge:member_detail",
        "tasks:my_day",
    } <= names
    assert set(STORE_A_ROLES) < set(PERSONAS)


def test_the_admin_role_cannot_make_itself_superuser_in_django_admin(world, client):
    admin_user = world.a.staff["admin"]
    client.force_login(admin_user)
    url = reverse("admin:concierge_staff_change", args=[admin_user.pk])
    data = {"username": admin_user.username, "is_superuser": "on", "is_staff": "on", "is_active": "on"}
    response = client.post(url, data)
    admin_user.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert not admin_user.is_superuser


@pytest.mark.parametrize("persona", [*STORE_A_ROLES, "other_manager"])
def test_only_a_superuser_gets_into_django_admin(world, client, persona):
    client.force_login(world.persona(persona))
    assert client.get(reverse("admin:index")).status_code == 302
    assert client.get(reverse("admin:concierge_member_changelist")).status_code == 302
    client.force_login(world.superuser)
    assert client.get(reverse("admin:index")).status_code == 200
