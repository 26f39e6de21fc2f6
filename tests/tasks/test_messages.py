"""Message templates: the built-in wording, a store's own, filling in the names, and drafts per kind."""

import pytest
from django.test import RequestFactory
from django.utils import timezone

from tasks import messages
from tasks.messages import (
    BUILT_IN_TEMPLATES,
    PURPOSE_OF_KIND,
    draft_context,
    draft_for,
    normalise_language,
    render_message,
    template_for,
)
from tasks.models import CareTask, MessageTemplate
from tasks.models.messages import Purpose
from tests.factories import MemberFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
Kind = CareTask.Kind


@pytest.fixture
def make_task(store, vip_manager):
    def make(kind, occasion=""):
        member = MemberFactory(store=store, name="王丽华", phone="13812345678")
        return CareTask.objects.create(
            store=store,
            member=member,
            assignee=vip_manager,
            kind=kind,
            period="2026",
            due_date=timezone.localdate(),
            reason="test",
            occasion=occasion,
        )

    return make


def test_there_is_a_built_in_template_for_every_purpose_and_language():
    assert set(BUILT_IN_TEMPLATES) == {(purpose, code) for purpose in Purpose for code in ("zh-hans", "en")}
    for body in BUILT_IN_TEMPLATES.values():
        assert body.startswith(("{member}", "Dear {member}"))
        assert body.endswith("{store} {staff}")


def test_season_and_miss_you_templates_stay_on_their_subject():
    season = BUILT_IN_TEMPLATES[(Purpose.SEASON, "zh-hans")]
    assert "{occasion}" in season and "保重身体" in season
    assert "想念" in BUILT_IN_TEMPLATES[(Purpose.MISS_YOU, "zh-hans")]


def test_every_kind_with_a_message_has_a_purpose():
    assert PURPOSE_OF_KIND[Kind.BIRTHDAY_GIFT] == Purpose.BIRTHDAY
    assert PURPOSE_OF_KIND[Kind.DORMANT_CALL] == Purpose.MISS_YOU
    # A review contacts nobody: it plans the contact, so it has no message of its own.
    assert {Kind.NEW_MEMBER_CALL, Kind.CARE_CALL, Kind.DECLINE_CALL, Kind.DORMANT_REVIEW}.isdisjoint(
        PURPOSE_OF_KIND
    )
    assert set(PURPOSE_OF_KIND.values()) == set(Purpose)


@pytest.mark.parametrize(
    ("code", "expected"),
    [("zh-hans", "zh-hans"), ("zh-cn", "zh-hans"), ("zh_Hant", "zh-hans"), ("en", "en"), ("en-gb", "en")],
)
def test_language_codes_come_down_to_the_two_template_languages(code, expected):
    assert normalise_language(code) == expected


def test_an_unknown_language_gets_the_sites_templates(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    assert normalise_language("fr") == "zh-hans"


def test_the_stores_template_replaces_the_built_in_one(store, other_store):
    MessageTemplate.objects.create(
        store=store, purpose="birthday", language="en", body="Happy birthday {member}"
    )
    assert template_for(store, "birthday", "en") == "Happy birthday {member}"
    assert template_for(store, "birthday", "zh-hans") == BUILT_IN_TEMPLATES[(Purpose.BIRTHDAY, "zh-hans")]
    assert template_for(other_store, "birthday", "en") == BUILT_IN_TEMPLATES[(Purpose.BIRTHDAY, "en")]
    assert template_for(None, "birthday", "en-us") == BUILT_IN_TEMPLATES[(Purpose.BIRTHDAY, "en")]


# ---- filling in --------------------------------------------------------------------------------------


def test_render_fills_in_the_names(store, vip_manager):
    member = MemberFactory(store=store, name="王丽华")
    text = render_message("{member}您好！\n——{store} {staff}", member=member, store=store, staff=vip_manager)
    assert text == "王丽华您好！\n——北京王府井店 王丽"


@pytest.mark.parametrize(
    "body",
    ["{", "}", "{}", "{{member}}", "{0}", "{unknown} {member.name} %(member)s", "{member", "50% {off}"],
)
def test_render_leaves_odd_braces_alone(body):
    text = render_message(body, member="王丽华", store="店", staff="王丽")
    assert text == body.replace("{member}", "王丽华")


def test_a_name_that_looks_like_a_placeholder_is_not_filled_in_again():
    text = render_message("{member} / {store}", member="{store}", store="北京店", staff="王丽")
    assert text == "{store} / 北京店"


def test_a_missing_occasion_leaves_no_placeholder():
    assert render_message("Happy {occasion}!", member="x", store="y", staff="z") == "Happy !"
    assert render_message("{occasion}", member="x", store="y", staff=None, occasion=None) == ""


def test_unknown_placeholders_are_listed():
    assert messages.unknown_placeholders("{member} {name} {store} { } {名字}") == ["name", "名字"]


# ---- drafts for tasks ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "purpose", "expected"),
    [
        (Kind.BIRTHDAY_GREETING, Purpose.BIRTHDAY, "今天是您的生日"),
        (Kind.BIRTHDAY_GIFT, Purpose.BIRTHDAY, "今天是您的生日"),
        (Kind.ANNIVERSARY_GREETING, Purpose.ANNIVERSARY, "纪念日"),
        (Kind.HOLIDAY_GREETING, Purpose.HOLIDAY, "值此节日之际"),
        (Kind.SEASON_GREETING, Purpose.SEASON, "今逢换季时节"),
        (Kind.DORMANT_CALL, Purpose.MISS_YOU, "好久不见"),
    ],
)
def test_draft_for_each_kind_with_a_message(make_task, vip_manager, kind, purpose, expected):
    drafted_purpose, text = draft_for(make_task(kind), vip_manager, "zh-hans")
    assert drafted_purpose == purpose
    assert text.startswith("王丽华您好！")
    assert expected in text
    assert text.endswith("——北京王府井店 王丽")
    assert "{" not in text


@pytest.mark.parametrize("kind", [Kind.NEW_MEMBER_CALL, Kind.CARE_CALL, Kind.DECLINE_CALL])
def test_calls_have_no_draft(make_task, vip_manager, kind):
    assert draft_for(make_task(kind), vip_manager, "zh-hans") is None


def test_the_occasion_goes_into_the_draft(make_task, vip_manager):
    _purpose, text = draft_for(make_task(Kind.HOLIDAY_GREETING, occasion="中秋节"), vip_manager, "zh-hans")
    assert "值此中秋节之际" in text
    _purpose, text = draft_for(make_task(Kind.SEASON_GREETING, occasion="Start of Winter"), vip_manager, "en")
    assert "today marks the Start of Winter" in text


def test_the_draft_is_in_the_language_asked_for_and_the_active_one_by_default(make_task, vip_manager):
    task = make_task(Kind.BIRTHDAY_GREETING)
    assert draft_for(task, vip_manager, "en")[1].startswith("Dear 王丽华, happy birthday!")
    assert draft_for(task, vip_manager)[1].startswith("Dear 王丽华")  # the english fixture is active


def test_the_draft_uses_the_stores_template(make_task, vip_manager, store):
    MessageTemplate.objects.create(
        store=store,
        purpose="miss_you",
        language="zh-hans",
        body="{member}，想您了！{unknown}\n{store} {staff}",
    )
    _purpose, text = draft_for(make_task(Kind.DORMANT_CALL), vip_manager, "zh-hans")
    assert text == "王丽华，想您了！{unknown}\n北京王府井店 王丽"


def test_draft_context_for_the_include(make_task, vip_manager):
    task = make_task(Kind.BIRTHDAY_GREETING)
    request = RequestFactory().get("/")
    request.LANGUAGE_CODE = "zh-hans"
    context = draft_context(task, vip_manager, request)
    assert context["task"] == task
    assert context["purpose"] == Purpose.BIRTHDAY
    assert context["draft"].startswith("王丽华您好！")
    assert context["warnings"] == []


def test_draft_context_keeps_the_edited_text_of_a_refused_form(make_task, vip_manager):
    task = make_task(Kind.BIRTHDAY_GREETING)
    request = RequestFactory().post("/", {"message": "生日快乐！全场打折"})
    context = draft_context(task, vip_manager, request, edited="生日快乐！全场打折")
    assert context["draft"] == "生日快乐！全场打折"
    assert [warning.code for warning in context["warnings"]] == ["promotion", "signature"]


def test_draft_context_is_empty_for_calls(make_task, vip_manager):
    assert draft_context(make_task(Kind.CARE_CALL), vip_manager, RequestFactory().get("/")) == {}
