"""The store's set-up in the app: staff accounts and the tier program, per persona, store-scoped,
audited once per change, and closed to every escalation."""

import pytest
from django.urls import reverse

from concierge.models import Assignment, AuditEntry, Member, Staff, Tier
from concierge.roles import Role
from tests.factories import MemberFactory, StaffFactory, TierFactory, TierProgramFactory

GOOD_PASSWORD = "Jade-Lotus-4821"


@pytest.fixture
def administrator(store):
    return StaffFactory(username="it", display_name="孙磊", store=store, roles=[Role.ADMIN])


@pytest.fixture
def program(store):
    program = TierProgramFactory(name="王府井卡")
    TierFactory(program=program, name="ME", rank=1, min_day_points=500, min_period_points=1000)
    TierFactory(program=program, name="WE", rank=2, min_day_points=6000, min_period_points=10000)
    TierFactory(program=program, name="SVIP", rank=3, min_day_points=30000, min_period_points=60000)
    store.tier_program = program
    store.save()
    return program


def setup_entries(**lookup):
    return AuditEntry.objects.filter(**lookup)


def staff_form(**values):
    data = {
        "username": "newbie",
        "display_name": "刘洋",
        "roles": [Role.VIP_MANAGER.value],
        "caseload_limit": "40",
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
    }
    data.update(values)
    return data


def edit_form(staff, **values):
    data = {
        "display_name": staff.display_name,
        "roles": [role.value for role in staff.roles],
        "caseload_limit": str(staff.caseload_limit),
    }
    data.update(values)
    return data


def tier_form(tier, prefix, **values):
    data = {
        "name": tier.name if tier else "",
        "rank": tier.rank if tier else "",
        "min_day_points": tier.min_day_points or "" if tier else "",
        "min_month_points": tier.min_month_points or "" if tier else "",
        "min_period_points": tier.min_period_points or "" if tier else "",
        "renewal_points": tier.renewal_points or "" if tier else "",
        "other_benefits": "",
    }
    data.update(values)
    return {f"{prefix}-{key}": value for key, value in data.items() if value is not None}


# ---- who gets in ------------------------------------------------------------------------------------

PAGES = [
    "concierge:setup_staff",
    "concierge:setup_staff_new",
    "concierge:setup_tiers",
    "concierge:setup_changes",
]


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("persona", ["store_manager", "administrator"])
def test_the_setup_pages_open_for_the_store_manager_and_the_administrator(
    request, client_for, program, name, persona
):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("persona", ["vip_manager", "front_desk", "complaint_handler"])
def test_the_floor_roles_are_refused(request, client_for, name, persona):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(reverse(name)).status_code == 403


def test_a_vip_manager_cannot_post_a_new_account(client_for, vip_manager):
    response = client_for(vip_manager).post(reverse("concierge:setup_staff_new"), staff_form())
    assert response.status_code == 403
    assert not Staff.objects.filter(username="newbie").exists()


def test_the_list_shows_this_stores_staff_only(client_for, store_manager, vip_manager, other_manager):
    response = client_for(store_manager).get(reverse("concierge:setup_staff"))
    page = response.content.decode()
    assert vip_manager.username in page
    assert other_manager.username not in page


def test_the_list_costs_the_same_queries_with_more_staff(
    client_for, store, store_manager, django_assert_max_num_queries
):
    client = client_for(store_manager)
    client.get(reverse("concierge:setup_staff"))
    StaffFactory.create_batch(15, store=store, roles=[Role.VIP_MANAGER])
    with django_assert_max_num_queries(12):
        assert client.get(reverse("concierge:setup_staff")).status_code == 200


def test_another_stores_manager_gets_404_for_every_object_of_this_store(
    client_for, other_manager, vip_manager, program
):
    tier = program.tiers.first()
    client = client_for(other_manager)
    staff_urls = ["setup_staff_detail", "setup_staff_password", "setup_staff_active", "setup_staff_unlock"]
    for name in staff_urls:
        assert (
            client.post(reverse(f"concierge:{name}", args=[vip_manager.pk]), {"active": "0"}).status_code
            == 404
        )
    assert client.get(reverse("concierge:setup_staff_detail", args=[vip_manager.pk])).status_code == 404
    assert client.post(reverse("concierge:setup_tier_change", args=[tier.pk]), {}).status_code == 404
    assert client.post(reverse("concierge:setup_tier_remove", args=[tier.pk]), {}).status_code == 404
    vip_manager.refresh_from_db()
    assert vip_manager.is_active
    assert Tier.objects.filter(pk=tier.pk).exists()
    assert not AuditEntry.objects.exists()


def test_the_header_links_settings_to_the_store_setup_and_the_admin_for_superusers_only(
    client_for, store_manager, administrator, vip_manager, store
):
    setup_url = reverse("concierge:setup_staff")
    admin_url = reverse("admin:index")
    for user in (store_manager, administrator):
        page = client_for(user).get(reverse("concierge:member_search")).content.decode()
        assert f'href="{setup_url}"' in page
        assert f'href="{admin_url}"' not in page
    page = client_for(vip_manager).get(reverse("concierge:member_search")).content.decode()
    assert f'href="{setup_url}"' not in page
    root = StaffFactory(username="root", store=store, is_superuser=True, is_staff=True)
    page = client_for(root).get(reverse("concierge:member_search")).content.decode()
    assert f'href="{admin_url}"' in page


# ---- staff accounts ---------------------------------------------------------------------------------


def test_the_store_manager_creates_an_account_in_their_store(client_for, store, store_manager):
    response = client_for(store_manager).post(reverse("concierge:setup_staff_new"), staff_form())
    assert response.status_code == 302
    staff = Staff.objects.get(username="newbie")
    assert staff.store == store
    assert staff.roles == [Role.VIP_MANAGER]
    assert staff.caseload_limit == 40
    assert staff.check_password(GOOD_PASSWORD)
    entry = setup_entries(action="staff.created").get()
    assert (entry.store, entry.actor, entry.object_id) == (store, store_manager, str(staff.pk))
    assert AuditEntry.objects.count() == 1


def test_posting_superuser_staff_groups_or_another_store_changes_nothing_of_them(
    client_for, store, other_store, store_manager
):
    escalation = {"is_superuser": "on", "is_staff": "on", "store": str(other_store.pk), "groups": ["1", "2"]}
    client_for(store_manager).post(reverse("concierge:setup_staff_new"), staff_form(**escalation))
    staff = Staff.objects.get(username="newbie")
    assert (staff.is_superuser, staff.is_staff, staff.store) == (False, False, store)
    assert staff.roles == [Role.VIP_MANAGER]

    client_for(store_manager).post(
        reverse("concierge:setup_staff_detail", args=[staff.pk]), edit_form(staff, **escalation)
    )
    staff.refresh_from_db()
    assert (staff.is_superuser, staff.is_staff, staff.store) == (False, False, store)
    assert list(staff.groups.values_list("name", flat=True)) == [Role.VIP_MANAGER.value]


@pytest.mark.parametrize(
    "values, field",
    [
        ({"password1": "12345678", "password2": "12345678"}, "password1"),
        ({"password1": "short", "password2": "short"}, "password1"),
        ({"password2": "Something-Else-99"}, "password2"),
        ({"username": "boss"}, "username"),
        ({"username": "BOSS"}, "username"),
        ({"username": "has space"}, "username"),
        ({"roles": []}, "roles"),
        ({"roles": ["superuser"]}, "roles"),
        ({"caseload_limit": "-1"}, "caseload_limit"),
        ({"caseload_limit": "99999999999999999999"}, "caseload_limit"),
        ({"display_name": ""}, "display_name"),
    ],
)
def test_a_bad_new_account_gets_field_errors_and_nothing_is_written(client_for, store_manager, values, field):
    response = client_for(store_manager).post(reverse("concierge:setup_staff_new"), staff_form(**values))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert Staff.objects.count() == 1
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("role", [Role.STORE_MANAGER, Role.ADMIN])
def test_the_administrator_cannot_grant_a_managers_role(client_for, administrator, vip_manager, role):
    client = client_for(administrator)
    response = client.post(reverse("concierge:setup_staff_new"), staff_form(roles=[role.value]))
    assert response.context["form"].errors["roles"]
    assert not Staff.objects.filter(username="newbie").exists()

    url = reverse("concierge:setup_staff_detail", args=[vip_manager.pk])
    response = client.post(url, edit_form(vip_manager, roles=[Role.VIP_MANAGER.value, role.value]))
    assert response.context["edit_form"].errors["roles"]
    assert vip_manager.roles == [Role.VIP_MANAGER]
    assert not AuditEntry.objects.exists()


def test_the_administrator_may_grant_the_floor_roles(client_for, administrator, vip_manager):
    url = reverse("concierge:setup_staff_detail", args=[vip_manager.pk])
    roles = [Role.VIP_MANAGER.value, Role.FRONT_DESK.value]
    assert client_for(administrator).post(url, edit_form(vip_manager, roles=roles)).status_code == 302
    assert Staff.objects.get(pk=vip_manager.pk).roles == [Role.VIP_MANAGER, Role.FRONT_DESK]


def test_the_administrator_cannot_take_over_a_store_managers_account(
    client_for, administrator, store_manager
):
    client = client_for(administrator)
    url = reverse("concierge:setup_staff_password", args=[store_manager.pk])
    response = client.post(url, {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD})
    assert response.status_code == 403
    response = client.post(reverse("concierge:setup_staff_active", args=[store_manager.pk]), {"active": "0"})
    store_manager.refresh_from_db()
    assert store_manager.is_active
    assert not store_manager.check_password(GOOD_PASSWORD)
    assert not AuditEntry.objects.exists()


def test_the_store_manager_may_make_another_store_manager(client_for, store_manager, vip_manager):
    url = reverse("concierge:setup_staff_detail", args=[vip_manager.pk])
    client_for(store_manager).post(url, edit_form(vip_manager, roles=[Role.STORE_MANAGER.value]))
    assert Staff.objects.get(pk=vip_manager.pk).roles == [Role.STORE_MANAGER]
    entry = setup_entries(action="staff.roles_changed").get()
    assert entry.data == {"roles_before": [Role.VIP_MANAGER.value], "roles_after": [Role.STORE_MANAGER.value]}


def test_one_audit_entry_per_change_and_none_without_a_change(client_for, store_manager, vip_manager):
    client = client_for(store_manager)
    url = reverse("concierge:setup_staff_detail", args=[vip_manager.pk])
    client.post(url, edit_form(vip_manager))
    assert not AuditEntry.objects.exists()
    client.post(url, edit_form(vip_manager, display_name="王丽丽", caseload_limit="30"))
    entry = setup_entries(action="staff.updated").get()
    assert entry.data["changed"] == {"display_name": ["王丽", "王丽丽"], "caseload_limit": [60, 30]}
    client.post(url, edit_form(Staff.objects.get(pk=vip_manager.pk), roles=[Role.FRONT_DESK.value]))
    assert setup_entries(action="staff.roles_changed").count() == 1
    assert AuditEntry.objects.count() == 2


def test_nobody_changes_their_own_roles(client_for, store_manager):
    url = reverse("concierge:setup_staff_detail", args=[store_manager.pk])
    response = client_for(store_manager).post(url, edit_form(store_manager, roles=[Role.VIP_MANAGER.value]))
    assert response.status_code == 200
    assert response.context["edit_form"].errors["roles"]
    assert Staff.objects.get(pk=store_manager.pk).roles == [Role.STORE_MANAGER]
    assert not AuditEntry.objects.exists()


def test_the_disabled_own_roles_keep_them_when_the_name_is_saved(client_for, store_manager):
    url = reverse("concierge:setup_staff_detail", args=[store_manager.pk])
    data = edit_form(store_manager, display_name="陈静静")
    del data["roles"]  # disabled boxes are not posted
    assert client_for(store_manager).post(url, data).status_code == 302
    me = Staff.objects.get(pk=store_manager.pk)
    assert (me.display_name, me.roles) == ("陈静静", [Role.STORE_MANAGER])


def test_nobody_deactivates_themselves_or_resets_their_own_password_here(client_for, store_manager):
    store_manager.language = "en"
    store_manager.save(update_fields=["language"])
    client = client_for(store_manager)
    url = reverse("concierge:setup_staff_active", args=[store_manager.pk])
    response = client.post(url, {"active": "0"}, follow=True)
    assert [str(message) for message in response.context["messages"]] == [
        "You cannot deactivate your own account."
    ]
    store_manager.refresh_from_db()
    assert store_manager.is_active
    url = reverse("concierge:setup_staff_password", args=[store_manager.pk])
    response = client.post(url, {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD})
    assert response.context["password_form"].non_field_errors()
    assert not Staff.objects.get(pk=store_manager.pk).check_password(GOOD_PASSWORD)
    assert not AuditEntry.objects.exists()


def test_deactivate_and_reactivate_each_write_once(client_for, store_manager, front_desk):
    client = client_for(store_manager)
    url = reverse("concierge:setup_staff_active", args=[front_desk.pk])
    client.post(url, {"active": "0"})
    client.post(url, {"active": "0"})  # the double tap is refused
    assert not Staff.objects.get(pk=front_desk.pk).is_active
    assert setup_entries(action="staff.deactivated").count() == 1
    client.post(url, {"active": "1"})
    assert Staff.objects.get(pk=front_desk.pk).is_active
    assert setup_entries(action="staff.reactivated").count() == 1


def test_deactivating_a_vip_manager_with_vips_warns_to_move_the_book_without_blocking(
    client_for, store, store_manager, vip_manager
):
    for member in MemberFactory.create_batch(2, store=store):
        Assignment.objects.create(
            store=store, member=member, manager=vip_manager, state=Assignment.State.ACTIVE
        )
    client = client_for(store_manager)
    page = client.get(reverse("concierge:setup_staff_detail", args=[vip_manager.pk])).content.decode()
    assert reverse("concierge:client_book") in page
    response = client.post(
        reverse("concierge:setup_staff_active", args=[vip_manager.pk]), {"active": "0"}, follow=True
    )
    assert not Staff.objects.get(pk=vip_manager.pk).is_active
    levels = [message.level_tag for message in response.context["messages"]]
    assert levels == ["warning"]


@pytest.mark.parametrize(
    "passwords, field",
    [
        (("12345678", "12345678"), "new_password2"),
        (("password", "password"), "new_password2"),
        (("Jade-Lotus-4821", "Jade-Lotus-4822"), "new_password2"),
        (("", ""), "new_password1"),
    ],
)
def test_a_bad_new_password_gets_field_errors(client_for, store_manager, vip_manager, passwords, field):
    url = reverse("concierge:setup_staff_password", args=[vip_manager.pk])
    data = dict(zip(["new_password1", "new_password2"], passwords, strict=True))
    response = client_for(store_manager).post(url, data)
    assert response.status_code == 200
    assert response.context["password_form"].errors[field]
    assert Staff.objects.get(pk=vip_manager.pk).check_password("pw-demo-123")
    assert not AuditEntry.objects.exists()


def test_a_password_reset_sets_it_and_writes_one_entry_without_the_password(
    client_for, store_manager, vip_manager
):
    url = reverse("concierge:setup_staff_password", args=[vip_manager.pk])
    response = client_for(store_manager).post(
        url, {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD}
    )
    assert response.status_code == 302
    assert Staff.objects.get(pk=vip_manager.pk).check_password(GOOD_PASSWORD)
    entry = setup_entries(action="staff.password_reset").get()
    assert GOOD_PASSWORD not in str(entry.data)


def test_a_superuser_of_the_store_is_not_managed_here(client_for, store, store_manager):
    root = StaffFactory(username="root", store=store, is_superuser=True, is_staff=True)
    client = client_for(store_manager)
    url = reverse("concierge:setup_staff_password", args=[root.pk])
    assert (
        client.post(url, {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD}).status_code == 403
    )
    assert (
        client.post(reverse("concierge:setup_staff_detail", args=[root.pk]), edit_form(root)).status_code
        == 403
    )
    assert not Staff.objects.get(pk=root.pk).check_password(GOOD_PASSWORD)


def test_the_changes_page_lists_the_stores_setup_changes_only(
    client_for, store_manager, other_manager, vip_manager
):
    client_for(store_manager).post(
        reverse("concierge:setup_staff_detail", args=[vip_manager.pk]),
        edit_form(vip_manager, display_name="王丽丽"),
    )
    page = client_for(store_manager).get(reverse("concierge:setup_changes")).content.decode()
    assert "王丽丽" in page
    page = client_for(other_manager).get(reverse("concierge:setup_changes")).content.decode()
    assert "王丽丽" not in page


def test_the_changes_page_names_a_language_change_in_words_never_by_its_code(
    client_for, store_manager, vip_manager
):
    import html

    from concierge.profile import set_language

    set_language(vip_manager, actor=vip_manager, language="en")
    set_language(store_manager, actor=store_manager, language="en")  # the reader's pages in English
    page = html.unescape(client_for(store_manager).get(reverse("concierge:setup_changes")).content.decode())
    assert "language_changed" not in page
    assert page.count("Page language changed") == 2
    assert "The store's language → English" in page


# ---- the tier program ------------------------------------------------------------------------------


def test_a_tier_change_is_saved_and_audited_once(client_for, store_manager, program):
    we = program.tiers.get(name="WE")
    url = reverse("concierge:setup_tier_change", args=[we.pk])
    data = tier_form(we, f"tier-{we.pk}", renewal_points=10000, dedicated_manager="on")
    assert client_for(store_manager).post(url, data).status_code == 302
    we.refresh_from_db()
    assert (we.renewal_points, we.dedicated_manager) == (10000, True)
    entry = setup_entries(action="tiers.tier_changed").get()
    assert set(entry.data["changed"]) == {"renewal_points", "dedicated_manager"}


@pytest.mark.parametrize(
    "values, field",
    [
        ({"rank": 3}, "rank"),
        ({"rank": 0}, "rank"),
        ({"name": "svip"}, "name"),
        ({"min_day_points": -5}, "min_day_points"),
        ({"min_day_points": 0}, "min_day_points"),
        ({"min_day_points": 400}, "min_day_points"),  # below ME's 500, a lower tier
        ({"min_period_points": 70000}, "min_period_points"),  # above SVIP's 60,000, a higher tier
        ({"min_day_points": "", "min_period_points": ""}, "__all__"),
        ({"min_day_points": "many"}, "min_day_points"),
        ({"min_day_points": 10**12}, "min_day_points"),
    ],
)
def test_bad_tier_values_get_errors_and_change_nothing(client_for, store_manager, program, values, field):
    we = program.tiers.get(name="WE")
    before = Tier.objects.values().get(pk=we.pk)
    url = reverse("concierge:setup_tier_change", args=[we.pk])
    response = client_for(store_manager).post(url, tier_form(we, f"tier-{we.pk}", **values))
    assert response.status_code == 200
    failed = next(tier for tier in response.context["tiers"] if tier.pk == we.pk)
    assert failed.form.errors[field]
    assert failed.form_open
    assert Tier.objects.values().get(pk=we.pk) == before
    assert not AuditEntry.objects.exists()


def test_a_tier_is_added_with_its_own_rank(client_for, store_manager, program):
    data = tier_form(None, "new", name="至尊", rank=4, min_period_points=200000, lounge="on")
    assert client_for(store_manager).post(reverse("concierge:setup_tier_add"), data).status_code == 302
    assert program.tiers.get(rank=4).name == "至尊"
    assert setup_entries(action="tiers.tier_added").count() == 1


def test_removing_a_tier_moves_its_members(client_for, store, store_manager, program):
    we, me = program.tiers.get(name="WE"), program.tiers.get(name="ME")
    holders = MemberFactory.create_batch(2, store=store, tier=we)
    url = reverse("concierge:setup_tier_remove", args=[we.pk])
    client_for(store_manager).post(url, {f"remove-{we.pk}-move_to": me.pk})
    assert not Tier.objects.filter(pk=we.pk).exists()
    assert set(Member.objects.filter(tier=me)) == set(holders)
    entry = setup_entries(action="tiers.tier_removed").get()
    assert (entry.data["members"], entry.data["moved_to"]) == (2, "ME")


def test_a_tier_of_another_program_cannot_be_the_target(client_for, store, store_manager, program):
    foreign = TierFactory(name="Other", rank=9)
    we = program.tiers.get(name="WE")
    client_for(store_manager).post(
        reverse("concierge:setup_tier_remove", args=[we.pk]), {f"remove-{we.pk}-move_to": foreign.pk}
    )
    assert Tier.objects.filter(pk=we.pk).exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    "values, field",
    [
        ({"program-points_per_yuan": "0"}, "points_per_yuan"),
        ({"program-points_per_yuan": "-1"}, "points_per_yuan"),
        ({"program-period_start_month": "13"}, "period_start_month"),
        ({"program-period_start_day": "30"}, "period_start_day"),
        ({"program-name": ""}, "name"),
    ],
)
def test_bad_program_values_get_errors(client_for, store_manager, program, values, field):
    data = {
        "program-name": program.name,
        "program-period_start_month": "8",
        "program-period_start_day": "1",
        "program-points_per_yuan": "1",
        **values,
    }
    response = client_for(store_manager).post(reverse("concierge:setup_tiers"), data)
    assert response.status_code == 200
    assert response.context["program_form"].errors[field]
    assert not AuditEntry.objects.exists()


def test_the_program_period_is_changed_and_audited(client_for, store_manager, program):
    data = {
        "program-name": program.name,
        "program-period_start_month": "1",
        "program-period_start_day": "1",
        "program-points_per_yuan": "1.5",
    }
    assert client_for(store_manager).post(reverse("concierge:setup_tiers"), data).status_code == 302
    program.refresh_from_db()
    assert (program.period_start_month, str(program.points_per_yuan)) == (1, "1.5000")
    assert setup_entries(action="tiers.program_changed").count() == 1


def test_a_store_without_a_program_sets_one_up(client_for, store, store_manager):
    data = {
        "program-name": "会员卡",
        "program-period_start_month": "1",
        "program-period_start_day": "1",
        "program-points_per_yuan": "1",
    }
    client_for(store_manager).post(reverse("concierge:setup_tiers"), data)
    store.refresh_from_db()
    assert store.tier_program.name == "会员卡"
    assert setup_entries(action="tiers.program_created").count() == 1


def test_a_program_shared_with_another_store_is_read_only(client_for, store_manager, other_store, program):
    other_store.tier_program = program
    other_store.save()
    we = program.tiers.get(name="WE")
    client = client_for(store_manager)
    response = client.post(
        reverse("concierge:setup_tier_change", args=[we.pk]), tier_form(we, f"tier-{we.pk}", renewal_points=5)
    )
    assert response.status_code == 200
    assert Tier.objects.get(pk=we.pk).renewal_points is None
    assert not AuditEntry.objects.exists()


def test_an_actor_whose_role_was_just_taken_away_is_refused(store, store_manager, vip_manager):
    from concierge import setup_actions
    from concierge.errors import ActionRefused

    colleague = StaffFactory(username="boss2", store=store, roles=[Role.STORE_MANAGER])
    as_loaded = Staff.objects.get(pk=colleague.pk)
    assert as_loaded.has_perm(setup_actions.PERMISSION)  # the request's user, permissions cached
    setup_actions.update_staff(
        colleague, actor=store_manager, display_name="周", roles=[Role.VIP_MANAGER.value], caseload_limit=60
    )
    with pytest.raises(ActionRefused):
        setup_actions.update_staff(
            vip_manager,
            actor=as_loaded,
            display_name="x",
            roles=[Role.STORE_MANAGER.value],
            caseload_limit=60,
        )
    assert Staff.objects.get(pk=vip_manager.pk).roles == [Role.VIP_MANAGER]
