"""The complaint set-up in the store's Settings: categories, teams, routing rules, time limits and
compensation budgets. Per role, store-scoped (another store's rows are a 404 and stay as they were),
errors on the fields, one audit entry per change, and what routing and the SLA clock do with it."""

import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from complaints import actions, routing, setup_actions
from complaints.clock import Clock
from complaints.models import (
    Category,
    CompensationBudget,
    Complaint,
    ComplaintSettings,
    RoutingRule,
    Severity,
    SlaPolicy,
    Team,
)
from complaints.views.setup import in_words
from concierge import setup_hours
from concierge.errors import ActionRefused
from concierge.models import AuditEntry
from concierge.roles import Role
from tests.factories import StaffFactory, TierFactory, TierProgramFactory

pytestmark = pytest.mark.usefixtures("english")

PAGES = [
    "complaints:setup",
    "complaints:setup_teams",
    "complaints:setup_rules",
    "complaints:setup_sla",
    "complaints:setup_compensation",
]


def text(response):
    return html.unescape(response.content.decode())


def entries(prefix="complaint_setup."):
    return AuditEntry.objects.filter(action__startswith=prefix)


@pytest.fixture
def default_team(store):
    return Team.objects.get(store=store, is_default=True)


@pytest.fixture
def other_team(other_store):
    return Team.objects.get(store=other_store, is_default=True)


# ---- who gets in -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_the_store_manager_opens_every_page(client_for, store_manager, name):
    assert client_for(store_manager).get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("persona", ["complaint_handler", "vip_manager", "front_desk"])
def test_the_floor_roles_are_refused(request, client_for, name, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse(name)).status_code == 403
    assert (
        client.post(reverse(name), {"new-name": "x", "untiered": "1", "default_budget": "1"}).status_code
        == 403
    )
    assert not entries().exists()


def test_the_handler_cannot_change_a_category(client_for, complaint_handler, quality):
    url = reverse("complaints:setup_category", args=[quality.pk])
    assert client_for(complaint_handler).post(url, {f"category-{quality.pk}-name": "x"}).status_code == 403
    quality.refresh_from_db()
    assert quality.name == ""


def test_the_settings_bar_leads_to_the_complaint_setup(client_for, store_manager):
    page = text(client_for(store_manager).get(reverse("concierge:setup_staff")))
    assert reverse("complaints:setup") in page


def test_another_stores_manager_gets_404_for_this_stores_rows_and_changes_nothing(
    client_for, other_manager, quality, default_team, store
):
    rule = RoutingRule.objects.create(store=store, category=quality, team=default_team)
    client = client_for(other_manager)
    posts = [
        (reverse("complaints:setup_category", args=[quality.pk]), {f"category-{quality.pk}-name": "hacked"}),
        (reverse("complaints:setup_category_active", args=[quality.pk]), {"active": "0"}),
        (reverse("complaints:setup_category_move", args=[quality.pk]), {"direction": "down"}),
        (reverse("complaints:setup_category_delete", args=[quality.pk]), {}),
        (
            reverse("complaints:setup_team", args=[default_team.pk]),
            {f"team-{default_team.pk}-name": "hacked"},
        ),
        (reverse("complaints:setup_team_delete", args=[default_team.pk]), {}),
        (reverse("complaints:setup_rule", args=[rule.pk]), {f"rule-{rule.pk}-counter": "hacked"}),
        (reverse("complaints:setup_rule_delete", args=[rule.pk]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    quality.refresh_from_db()
    default_team.refresh_from_db()
    assert (quality.name, quality.active, default_team.name) == ("", True, "Customer service")
    assert RoutingRule.objects.filter(pk=rule.pk).exists()
    assert not entries().exists()


def test_another_stores_manager_does_not_see_this_stores_rows(
    client_for, other_manager, store_manager, store
):
    setup_actions.add_category(actor=store_manager, name="会员积分")
    setup_actions.save_team(actor=store_manager, name="化妆品楼层")
    client = client_for(other_manager)
    assert "会员积分" not in text(client.get(reverse("complaints:setup")))
    assert "化妆品楼层" not in text(client.get(reverse("complaints:setup_teams")))


# ---- categories ---------------------------------------------------------------------------------------


def test_renaming_a_built_in_keeps_its_code_and_blank_brings_the_built_in_name_back(
    client_for, store_manager, quality
):
    client = client_for(store_manager)
    url = reverse("complaints:setup_category", args=[quality.pk])
    assert client.post(url, {f"category-{quality.pk}-name": "商品质量问题"}).status_code == 302
    quality.refresh_from_db()
    assert (quality.code, quality.display_name) == ("product_quality", "商品质量问题")
    client.post(url, {f"category-{quality.pk}-name": ""})
    quality.refresh_from_db()
    assert (quality.name, quality.display_name) == ("", "Product quality")
    renamed = entries().filter(action="complaint_setup.category_renamed")
    assert renamed.count() == 2
    page = text(client.get(reverse("concierge:setup_changes")))
    assert "Product quality → 商品质量问题" in page and "商品质量问题 → Product quality" in page


def test_the_stores_own_category_needs_a_name_and_names_differ(client_for, store_manager, quality):
    client = client_for(store_manager)
    response = client.post(reverse("complaints:setup"), {"new-name": "  "})
    assert "Give the category a name." in text(response)
    response = client.post(reverse("complaints:setup"), {"new-name": "product QUALITY"})
    assert "Another category is called product QUALITY." in text(response)
    assert not entries().exists()
    assert client.post(reverse("complaints:setup"), {"new-name": "会员积分"}).status_code == 302
    own = Category.objects.get(name="会员积分")
    assert own.code == "" and own.position > quality.position
    assert entries().get().action == "complaint_setup.category_added"


def test_hide_and_offer_again_and_the_last_offered_one_stays(client_for, store_manager, store, quality):
    client = client_for(store_manager)
    url = reverse("complaints:setup_category_active", args=[quality.pk])
    client.post(url, {"active": "0"})
    quality.refresh_from_db()
    assert not quality.active
    client.post(url, {"active": "1"})
    quality.refresh_from_db()
    assert quality.active
    assert [entry.action for entry in entries().order_by("id")] == [
        "complaint_setup.category_hidden",
        "complaint_setup.category_shown",
    ]
    Category.objects.filter(store=store).exclude(pk=quality.pk).update(active=False)
    response = client.post(url, {"active": "0"}, follow=True)
    assert "At least one category must stay offered" in text(response)
    quality.refresh_from_db()
    assert quality.active


def test_moving_a_category_swaps_it_with_its_neighbour(client_for, store_manager, store):
    first, second = Category.objects.filter(store=store).order_by("position", "pk")[:2]
    client_for(store_manager).post(
        reverse("complaints:setup_category_move", args=[second.pk]), {"direction": "up"}
    )
    order = list(Category.objects.filter(store=store).order_by("position", "pk").values_list("pk", flat=True))
    assert order[:2] == [second.pk, first.pk]
    assert entries().get().data["place"] == 1


def test_a_used_or_built_in_category_cannot_be_deleted_only_hidden(
    clock, store, store_manager, complaint_handler, member, quality
):
    own = setup_actions.add_category(actor=store_manager, name="会员积分")
    actions.record_complaint(
        actor=complaint_handler,
        store=store,
        member=member,
        category=own,
        channel=Complaint.Channel.COUNTER,
        severity="low",
        description="积分没到账",
    )
    with pytest.raises(ActionRefused, match="hide it instead"):
        setup_actions.delete_category(own, actor=store_manager)
    with pytest.raises(ActionRefused, match="built-in category cannot be deleted"):
        setup_actions.delete_category(quality, actor=store_manager)
    unused = setup_actions.add_category(actor=store_manager, name="礼品卡")
    setup_actions.delete_category(unused, actor=store_manager)
    assert set(Category.objects.filter(store=store, code="").values_list("name", flat=True)) == {"会员积分"}
    assert entries().filter(action="complaint_setup.category_deleted").count() == 1


def test_the_categories_page_offers_delete_only_where_it_can_work(client_for, store_manager):
    own = setup_actions.add_category(actor=store_manager, name="会员积分")
    page = text(client_for(store_manager).get(reverse("complaints:setup")))
    assert page.count("/delete/") == 1
    assert reverse("complaints:setup_category_delete", args=[own.pk]) in page


# ---- teams ----------------------------------------------------------------------------------------------


def team_post(prefix, **values):
    return {f"{prefix}-{key}": value for key, value in values.items()}


def test_a_team_is_added_with_its_lead_and_members(client_for, store_manager, complaint_handler, handler2):
    data = team_post(
        "new", name="化妆品楼层", lead=store_manager.pk, members=[complaint_handler.pk, handler2.pk]
    )
    assert client_for(store_manager).post(reverse("complaints:setup_teams"), data).status_code == 302
    team = Team.objects.get(name="化妆品楼层")
    assert team.lead == store_manager and not team.is_default
    assert set(team.memberships.values_list("staff_id", flat=True)) == {complaint_handler.pk, handler2.pk}
    entry = entries().get()
    assert entry.action == "complaint_setup.team_added"
    assert entry.data["members"] == sorted(["赵敏", "钱进"])


def test_a_second_default_team_takes_the_default_over_so_there_is_only_ever_one(
    client_for, store_manager, store, default_team
):
    client = client_for(store_manager)
    data = team_post("new", name="二楼", is_default="on")
    client.post(reverse("complaints:setup_teams"), data)
    assert list(Team.objects.filter(store=store, is_default=True).values_list("name", flat=True)) == ["二楼"]
    entry = entries().get()
    assert entry.data["default_from"] == "Customer service"
    page = text(client.get(reverse("complaints:setup_teams")))
    assert "Make this the default team instead of 二楼" in page


def test_the_only_default_team_cannot_be_unmarked(client_for, store_manager, store, default_team):
    data = team_post(f"team-{default_team.pk}", name="客服部")  # no is_default: unticked
    response = client_for(store_manager).post(reverse("complaints:setup_team", args=[default_team.pk]), data)
    assert response.status_code == 200
    assert "One team must be the default: make another team the default instead." in text(response)
    default_team.refresh_from_db()
    assert (default_team.name, default_team.is_default) == ("Customer service", True)
    with pytest.raises(ActionRefused, match="One team must be the default"):
        setup_actions.save_team(default_team, actor=store_manager, name="客服部", is_default=False)
    assert Team.objects.filter(store=store, is_default=True).count() == 1


def test_team_names_differ_and_people_come_from_this_store(
    client_for, store_manager, other_manager, default_team
):
    client = client_for(store_manager)
    response = client.post(reverse("complaints:setup_teams"), team_post("new", name="customer SERVICE"))
    assert "Another team is called customer SERVICE." in text(response)
    response = client.post(
        reverse("complaints:setup_teams"), team_post("new", name="二楼", lead=other_manager.pk)
    )
    assert "Select a valid choice." in text(response)
    response = client.post(
        reverse("complaints:setup_teams"), team_post("new", name="二楼", members=[other_manager.pk])
    )
    assert "Select a valid choice." in text(response)
    with pytest.raises(ActionRefused, match="active colleagues"):
        setup_actions.save_team(actor=store_manager, name="二楼", members=[other_manager])
    assert Team.objects.count() == 2  # each store's default
    assert not entries().exists()


def test_a_team_change_records_what_changed(client_for, store_manager, complaint_handler, default_team):
    data = team_post(
        f"team-{default_team.pk}",
        name="客服部",
        lead=store_manager.pk,
        members=[complaint_handler.pk],
        is_default="on",
    )
    client_for(store_manager).post(reverse("complaints:setup_team", args=[default_team.pk]), data)
    changed = entries().get(action="complaint_setup.team_changed").data["changed"]
    assert changed == {
        "name": ["Customer service", "客服部"],
        "lead": ["", "陈静"],
        "members": [[], ["赵敏"]],
    }


def test_a_team_with_rules_or_the_default_cannot_be_removed(store_manager, default_team, quality):
    team, _changed = setup_actions.save_team(actor=store_manager, name="二楼")
    rule, _changed = setup_actions.save_rule(actor=store_manager, category=quality, team=team)
    with pytest.raises(ActionRefused, match="routing rules send complaints"):
        setup_actions.delete_team(team, actor=store_manager)
    with pytest.raises(ActionRefused, match="default team cannot be removed"):
        setup_actions.delete_team(default_team, actor=store_manager)
    setup_actions.delete_rule(rule, actor=store_manager)
    setup_actions.delete_team(team, actor=store_manager)
    assert not Team.objects.filter(pk=team.pk).exists()


def test_the_teams_page_says_where_a_team_without_members_goes(
    client_for, store_manager, complaint_handler, handler2
):
    page = text(client_for(store_manager).get(reverse("complaints:setup_teams")))
    assert "A team nobody was put in goes to every complaint handler of the store: now 2 people." in page
    assert "赵敏" in page and "钱进" in page
    # Every colleague can be ticked, on the new team's form and on each team's.
    assert page.count('name="new-members"') == 3
    assert len(re.findall(r'name="team-\d+-members"', page)) == 3


def test_the_teams_page_costs_the_same_queries_with_more_teams(
    client_for, store, store_manager, django_assert_max_num_queries
):
    client = client_for(store_manager)
    client.get(reverse("complaints:setup_teams"))
    handlers = StaffFactory.create_batch(4, store=store, roles=[Role.COMPLAINT_HANDLER])
    for index in range(6):
        setup_actions.save_team(actor=store_manager, name=f"Team {index}", lead=handlers[0], members=handlers)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("complaints:setup_teams")).status_code == 200


# ---- routing rules --------------------------------------------------------------------------------------


def rule_post(prefix, **values):
    return {f"{prefix}-{key}": value for key, value in values.items()}


def test_a_rule_needs_a_category_or_a_counter_and_two_rules_never_match_the_same(
    client_for, store_manager, default_team, quality
):
    client = client_for(store_manager)
    response = client.post(
        reverse("complaints:setup_rules"), rule_post("new", team=default_team.pk, position=0)
    )
    assert "Choose a category, give a counter, or both." in text(response)
    data = rule_post("new", category=quality.pk, counter="Chanel", team=default_team.pk, position=0)
    assert client.post(reverse("complaints:setup_rules"), data).status_code == 302
    data["new-counter"] = " chanel "
    response = client.post(reverse("complaints:setup_rules"), data)
    assert "Another rule matches exactly these complaints" in text(response)
    response = client.post(
        reverse("complaints:setup_rules"), {**data, "new-counter": "Dior", "new-position": "-1"}
    )
    assert "Ensure this value is greater than or equal to 0." in text(response)
    assert RoutingRule.objects.count() == 1
    assert entries().get().action == "complaint_setup.rule_added"


def test_the_page_shows_which_rule_wins(client_for, store_manager, store, quality):
    floor, _ = setup_actions.save_team(actor=store_manager, name="化妆品楼层")
    counter_team, _ = setup_actions.save_team(actor=store_manager, name="香奈儿专柜")
    setup_actions.save_rule(actor=store_manager, counter="Chanel", team=counter_team, position=0)
    setup_actions.save_rule(actor=store_manager, category=quality, team=floor, position=9)
    client = client_for(store_manager)
    page = text(client.get(reverse("complaints:setup_rules"), {"category": quality.pk, "counter": "CHANEL"}))
    # The category rule is more specific than the counter rule, whatever their positions.
    assert "It goes to 化妆品楼层: rule 1 wins." in page
    page = text(client.get(reverse("complaints:setup_rules"), {"category": "", "counter": "chanel"}))
    assert "It goes to 香奈儿专柜: rule 2 wins." in page
    page = text(client.get(reverse("complaints:setup_rules"), {"category": "", "counter": "Dior"}))
    assert "No rule matches: it goes to the default team, Customer service." in page
    assert routing.team_for(store.pk, quality.pk, "chanel") == floor


def test_a_rule_change_is_audited_with_what_changed(store_manager, default_team, quality):
    rule, _ = setup_actions.save_rule(actor=store_manager, category=quality, team=default_team)
    _rule, changed = setup_actions.save_rule(
        rule, actor=store_manager, category=quality, counter="Dior", team=default_team, position=3
    )
    assert changed == {"counter": ["", "Dior"], "position": [0, 3]}
    assert entries().filter(action="complaint_setup.rule_changed").count() == 1


def test_a_rule_cannot_send_to_another_stores_team(store_manager, quality, other_team):
    with pytest.raises(ActionRefused, match="your store's teams"):
        setup_actions.save_rule(actor=store_manager, category=quality, team=other_team)
    assert not RoutingRule.objects.exists()


# ---- routing and days off -------------------------------------------------------------------------------


def test_routing_skips_a_handler_who_is_off(
    clock, store, store_manager, complaint_handler, handler2, member, quality
):
    team, _ = setup_actions.save_team(actor=store_manager, name="客服", members=[complaint_handler, handler2])
    setup_actions.save_rule(actor=store_manager, category=quality, team=team)
    setup_hours.add_absence(
        actor=store_manager, staff=complaint_handler, first_day=clock.now.date(), last_day=clock.now.date()
    )
    complaint = actions.record_complaint(
        actor=store_manager,
        store=store,
        member=member,
        category=quality,
        channel=Complaint.Channel.COUNTER,
        severity="medium",
        description="拉链坏了",
    )
    assert (complaint.team, complaint.handler) == (team, handler2)
    # Their day off over, the least loaded (the one with no complaints) gets the next one.
    clock.advance(days=1)
    assert routing.least_loaded(team, store.pk) == complaint_handler


# ---- time limits ----------------------------------------------------------------------------------------


def sla_post(**overrides):
    data = {}
    for severity in Severity.values:
        data[f"{severity}_contact"], data[f"{severity}_resolution"] = "60", "600"
    data.update(overrides)
    return data


def test_without_policies_the_page_shows_the_defaults(client_for, store_manager):
    page = text(client_for(store_manager).get(reverse("complaints:setup_sla")))
    assert 'value="30"' in page and 'value="4320"' in page
    assert "The defaults" in page
    # 10:00-22:00 every day: 1,440 business minutes are 24 h, two business days.
    assert "24 h · 2 business days" in page


def test_the_time_limits_are_saved_for_new_complaints_and_audited(
    client_for, store_manager, store, clock, nine_to_five
):
    client = client_for(store_manager)
    assert client.post(reverse("complaints:setup_sla"), sla_post(critical_contact="15")).status_code == 302
    assert SlaPolicy.objects.filter(store=store).count() == 4
    assert Clock(store.pk).minutes(Severity.CRITICAL) == (15, 600)
    entry = entries().get()
    assert entry.action == "complaint_setup.sla_changed"
    assert entry.data["changed"]["critical"] == [[30, 720], [15, 600]]
    response = client.post(reverse("complaints:setup_sla"), sla_post(critical_contact="15"), follow=True)
    assert "Nothing was changed." in text(response)
    assert entries().count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"high_contact": "-5"}, "At least 1 business minute."),
        ({"high_contact": "0"}, "At least 1 business minute."),
        ({"high_contact": "700"}, "The first contact cannot come after the resolution."),
        ({"high_resolution": "abc"}, "Enter a whole number."),
        ({"high_resolution": ""}, "This field is required."),
    ],
)
def test_bad_time_limits_come_back_on_their_fields(client_for, store_manager, overrides, message):
    response = client_for(store_manager).post(reverse("complaints:setup_sla"), sla_post(**overrides))
    assert response.status_code == 200
    assert message in text(response)
    assert not SlaPolicy.objects.exists()


def test_the_action_refuses_negative_minutes_itself(store_manager):
    minutes = dict.fromkeys(Severity.values, (60, 600))
    minutes["low"] = (-1, 600)
    with pytest.raises(ActionRefused):
        setup_actions.save_sla_policies(actor=store_manager, minutes=minutes)
    assert not SlaPolicy.objects.exists()


def test_minutes_are_shown_in_hours_and_business_days():
    assert in_words(45, 720) == "45 min"
    assert in_words(150, 720) == "2 h 30 min"
    assert in_words(1440, 720) == "24 h · 2 business days"
    assert in_words(1080, 720) == "18 h · about 1.5 business days"
    assert in_words(1440, 0) == "24 h"


def test_the_numbers_are_saved_within_their_limits(client_for, store_manager, store):
    client = client_for(store_manager)
    data = {
        "numbers-warning_percent": "120",
        "numbers-escalation_step_minutes": "30",
        "numbers-reopen_grace_days": "5",
    }
    response = client.post(reverse("complaints:setup_numbers"), data)
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 99." in text(response)
    assert not ComplaintSettings.objects.exists()
    data["numbers-warning_percent"] = "80"
    assert client.post(reverse("complaints:setup_numbers"), data).status_code == 302
    settings = ComplaintSettings.for_store(store.pk)
    assert (settings.warning_percent, settings.escalation_step_minutes, settings.reopen_grace_days) == (
        80,
        30,
        5,
    )
    assert entries().get().data["changed"] == {
        "warning_percent": [75, 80],
        "escalation_step_minutes": [60, 30],
        "reopen_grace_days": [7, 5],
    }


# ---- compensation budgets --------------------------------------------------------------------------------


@pytest.fixture
def tiers(store):
    program = TierProgramFactory(name="王府井卡")
    gold = TierFactory(program=program, name="Gold", rank=2)
    silver = TierFactory(program=program, name="Silver", rank=1)
    store.tier_program = program
    store.save()
    return gold, silver


def test_budgets_per_tier_and_the_fallbacks(client_for, store_manager, store, tiers, member):
    gold, silver = tiers
    client = client_for(store_manager)
    data = {f"tier_{gold.pk}": "1000", f"tier_{silver.pk}": "", "untiered": "200", "default_budget": "300"}
    assert client.post(reverse("complaints:setup_compensation"), data).status_code == 302
    amounts = dict(CompensationBudget.objects.filter(store=store).values_list("tier_id", "amount"))
    assert amounts == {gold.pk: Decimal("1000"), None: Decimal("200")}
    entry = entries().get()
    assert entry.data["budgets"] == [["Gold", "", "1000.00"], ["", "", "200.00"]]
    complaint = Complaint(store=store, member=member)
    member.tier = silver
    assert actions.budget_for(complaint) == Decimal("200")  # a tier without its own: the no-tier row
    member.tier = gold
    assert actions.budget_for(complaint) == Decimal("1000")
    data[f"tier_{gold.pk}"] = ""
    client.post(reverse("complaints:setup_compensation"), data)
    assert not CompensationBudget.objects.filter(tier=gold).exists()
    page = text(client.get(reverse("complaints:setup_compensation")))
    assert "as customers without a tier" in page


def test_a_negative_budget_is_refused_on_its_field(client_for, store_manager, tiers):
    gold, _silver = tiers
    data = {f"tier_{gold.pk}": "-5", "untiered": "", "default_budget": "300"}
    response = client_for(store_manager).post(reverse("complaints:setup_compensation"), data)
    assert response.status_code == 200
    assert "An amount cannot be negative." in text(response)
    assert not CompensationBudget.objects.exists()


def test_a_budget_for_another_programs_tier_is_refused(store_manager, tiers):
    stranger = TierFactory(program=TierProgramFactory(name="别的卡"), name="X", rank=1)
    with pytest.raises(ActionRefused, match="not in your store's program"):
        setup_actions.save_budgets(
            actor=store_manager, amounts={stranger.pk: Decimal("5")}, default_budget=Decimal("300")
        )
    assert not CompensationBudget.objects.exists()


def test_the_default_budget_changes_in_the_settings(store_manager, store):
    setup_actions.save_budgets(actor=store_manager, amounts={None: None}, default_budget=Decimal("500"))
    assert ComplaintSettings.for_store(store.pk).default_budget == Decimal("500")
    assert entries().get().data["default_budget"] == ["300.00", "500.00"]


# ---- the change log ----------------------------------------------------------------------------------------


def test_the_change_log_lists_complaint_setup_changes_of_this_store_only(
    client_for, store_manager, other_manager, quality
):
    setup_actions.set_category_active(quality, actor=store_manager, active=False)
    setup_actions.save_team(actor=store_manager, name="化妆品楼层")
    page = text(client_for(store_manager).get(reverse("concierge:setup_changes")))
    assert "Complaint category hidden" in page and "Product quality" in page
    assert "Complaint team added" in page and "化妆品楼层" in page
    other = text(client_for(other_manager).get(reverse("concierge:setup_changes")))
    assert "化妆品楼层" not in other and "Complaint category hidden" not in other


def test_a_removed_permission_counts_at_once(store_manager, quality):
    store_manager.groups.clear()
    fresh = type(store_manager).objects.get(pk=store_manager.pk)
    with pytest.raises(ActionRefused):
        setup_actions.rename_category(quality, actor=fresh, name="x")
