"""The store manager's care setup pages and the draft box's live check, through the test client."""

import datetime as dt
import html

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from concierge.models import AuditEntry
from tasks.calendar import festivals
from tasks.messages import draft_context
from tasks.models import CareTask, EtiquetteWords, Holiday, MessageTemplate
from tests.factories import MemberFactory, StaffFactory
from tests.helpers import HTMX

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PAGES = ["tasks:message_templates", "tasks:word_lists", "tasks:holidays"]
GOOD_BIRTHDAY = "{member}您好！祝您生日快乐，天天开心！\n——{store} {staff}"


def edit_url(purpose="birthday", language="zh-hans", action="edit_template"):
    return reverse(f"tasks:{action}", args=[purpose, language])


def words_url(category="promotion", language="zh-hans", action="edit_words"):
    return reverse(f"tasks:{action}", args=[category, language])


def in_days(days):
    return timezone.localdate() + dt.timedelta(days=days)


# ---- who may ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_the_store_manager_opens_every_setup_page(client_for, store_manager, page):
    response = client_for(store_manager).get(reverse(page))
    content = response.content.decode()
    assert response.status_code == 200
    assert reverse("tasks:team") in content  # the way back
    for other in PAGES:
        assert reverse(other) in content  # the sub-navigation


@pytest.mark.parametrize("persona", ["vip_manager", "front_desk"])
@pytest.mark.parametrize("page", PAGES)
def test_setup_pages_are_for_store_managers(request, client_for, persona, page):
    assert client_for(request.getfixturevalue(persona)).get(reverse(page)).status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        edit_url(),
        edit_url(action="preview_template"),
        edit_url(action="reset_template"),
        words_url(),
        words_url(action="reset_words"),
        reverse("tasks:holidays"),
    ],
)
def test_a_vip_manager_cannot_change_the_setup(client_for, vip_manager, url):
    assert client_for(vip_manager).post(url, {"body": GOOD_BIRTHDAY, "words": "x"}).status_code == 403
    assert not MessageTemplate.objects.exists()
    assert not EtiquetteWords.objects.exists()


def test_unknown_purposes_languages_and_rules_are_404(client_for, store_manager):
    client = client_for(store_manager)
    assert client.get(edit_url(purpose="promotion")).status_code == 404
    assert client.get(edit_url(language="fr")).status_code == 404
    assert client.post(words_url(category="rude"), {"words": "x"}).status_code == 404


# ---- message templates ---------------------------------------------------------------------------------


def test_the_template_page_shows_every_purpose_and_language(
    client_for, store_manager, store, django_assert_max_num_queries
):
    colleague = StaffFactory(store=store, display_name="刘洋", roles=["store_manager"])
    for purpose, who in (("holiday", store_manager), ("season", colleague), ("miss_you", colleague)):
        MessageTemplate.objects.create(
            store=store,
            purpose=purpose,
            language="en",
            body="Hi {occasion}!\n{store} {staff}",
            updated_by=who,
        )
    client = client_for(store_manager)
    with django_assert_max_num_queries(10):
        content = client.get(reverse("tasks:message_templates")).content.decode()
    # 7 purposes in 2 languages, 3 of them edited
    assert content.count(">Built-in<") == 11
    assert "Edited by 陈静 on" in content and "Edited by 刘洋 on" in content
    assert '<mark class="placeholder">{occasion}</mark>' in content
    for purpose in ("birthday", "anniversary", "holiday", "season", "miss_you"):
        for language in ("zh-hans", "en"):
            assert edit_url(purpose, language) in content


def test_the_template_page_flags_a_template_a_new_word_list_breaks(client_for, store_manager, store):
    EtiquetteWords.objects.create(store=store, category="promotion", language="zh-hans", words="生日快乐")
    content = client_for(store_manager).get(reverse("tasks:message_templates")).content.decode()
    assert "“生日快乐” reads as a promotion" in content


def test_the_editor_shows_the_text_and_a_preview_with_sample_names(client_for, store_manager):
    content = client_for(store_manager).get(edit_url("holiday", "zh-hans")).content.decode()
    assert "值此{occasion}之际" in content  # the template, in the textarea
    assert "王丽华您好！值此中秋节之际" in content  # the preview
    assert "——北京王府井店 陈静" in content


def test_saving_a_template_writes_who_and_when(client_for, store_manager, store):
    response = client_for(store_manager).post(edit_url(), {"body": GOOD_BIRTHDAY})
    assert response.status_code == 302
    assert response.url == reverse("tasks:message_templates")
    row = MessageTemplate.objects.get(store=store, purpose="birthday", language="zh-hans")
    assert row.body == GOOD_BIRTHDAY
    assert row.updated_by == store_manager
    assert timezone.now() - row.updated_at < dt.timedelta(minutes=1)


def test_saving_again_changes_the_same_row(client_for, store_manager, store):
    client = client_for(store_manager)
    client.post(edit_url(), {"body": GOOD_BIRTHDAY})
    client.post(edit_url(), {"body": GOOD_BIRTHDAY.replace("天天开心", "心想事成")})
    assert MessageTemplate.objects.get().body.count("心想事成") == 1


def test_saving_with_htmx_answers_with_the_editor_and_a_notice(client_for, store_manager):
    response = client_for(store_manager).post(edit_url(), {"body": GOOD_BIRTHDAY}, **HTMX)
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert 'id="template-editor"' in content
    assert "is saved" in content
    assert "Edited by 陈静" in content


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_a_template_that_breaks_the_etiquette_is_refused_and_nothing_is_written(
    client_for, store_manager, headers
):
    body = "{member}您好！生日快乐，生日当天全场打折！\n——{store} {staff}"
    response = client_for(store_manager).post(edit_url(), {"body": body}, **headers)
    content = response.content.decode()
    assert response.status_code == 200
    assert "A birthday greeting is a wish only: “打折” reads as a promotion. Take it out." in content
    assert "全场打折" in content  # what they typed stays in the form
    assert not MessageTemplate.objects.exists()


def test_a_template_must_end_with_the_signature_placeholders(client_for, store_manager, store):
    body = "{member}您好！生日快乐！\n——北京王府井店 陈静"
    content = client_for(store_manager).post(edit_url(), {"body": body}).content.decode()
    assert "End with the signature {store} {staff}" in content
    assert not MessageTemplate.objects.exists()


def test_a_template_with_an_unknown_placeholder_is_refused(client_for, store_manager):
    body = "{name}您好！生日快乐！\n——{store} {staff}"
    content = client_for(store_manager).post(edit_url(), {"body": body}).content.decode()
    assert "“{name}” cannot be filled in" in content
    assert not MessageTemplate.objects.exists()


def test_an_empty_template_is_refused(client_for, store_manager):
    content = client_for(store_manager).post(edit_url(), {"body": "  "}).content.decode()
    assert "Write the message, or go back to the built-in one." in content
    assert not MessageTemplate.objects.exists()


def test_the_live_preview_shows_the_text_and_the_problems(client_for, store_manager):
    body = "{member}您好！中秋节快乐，月饼买一送一！\n——{store} {staff}"
    response = client_for(store_manager).post(
        edit_url("holiday", action="preview_template"), {"body": body}, **HTMX
    )
    content = response.content.decode()
    assert 'id="template-preview"' in content
    assert "王丽华您好！中秋节快乐，月饼买一送一！" in content
    assert 'id="template-problems" hx-swap-oob="true"' in content
    assert "“买一送一”" in content
    assert not MessageTemplate.objects.exists()


def test_back_to_built_in_removes_the_stores_row_only(client_for, store_manager, store, other_store):
    MessageTemplate.objects.create(store=store, purpose="birthday", language="zh-hans", body=GOOD_BIRTHDAY)
    MessageTemplate.objects.create(
        store=other_store, purpose="birthday", language="zh-hans", body=GOOD_BIRTHDAY
    )
    response = client_for(store_manager).post(edit_url(action="reset_template"))
    assert response.status_code == 302
    assert list(MessageTemplate.objects.values_list("store", flat=True)) == [other_store.pk]


def test_back_to_built_in_with_htmx_shows_the_built_in_text(client_for, store_manager, store):
    MessageTemplate.objects.create(
        store=store, purpose="birthday", language="en", body="Hi {member}\n{store} {staff}"
    )
    content = (
        client_for(store_manager)
        .post(edit_url(language="en", action="reset_template"), **HTMX)
        .content.decode()
    )
    assert "back to the built-in message" in content
    assert "Dear {member}, happy birthday!" in content


def test_the_other_stores_manager_edits_only_their_own_store(client_for, other_manager, store):
    MessageTemplate.objects.create(store=store, purpose="birthday", language="zh-hans", body=GOOD_BIRTHDAY)
    client = client_for(other_manager)
    assert "天天开心" not in client.get(edit_url()).content.decode()
    client.post(edit_url(action="reset_template"))
    client.post(edit_url(), {"body": "{member}生日快乐！\n{store} {staff}"})
    assert MessageTemplate.objects.get(store=store).body == GOOD_BIRTHDAY
    assert (
        MessageTemplate.objects.get(store=other_manager.store).body == "{member}生日快乐！\n{store} {staff}"
    )


# ---- word lists ------------------------------------------------------------------------------------------


def test_the_word_list_page_shows_every_rule_and_language(
    client_for, store_manager, store, django_assert_max_num_queries
):
    for category in ("new_products", "what_happened"):
        EtiquetteWords.objects.create(
            store=store, category=category, language="en", words="fresh drop", updated_by=store_manager
        )
    client = client_for(store_manager)
    with django_assert_max_num_queries(9):
        content = client.get(reverse("tasks:word_lists")).content.decode()
    assert content.count('class="word-list"') == 6
    assert "买一送一" in content and "clearance" in content and "fresh drop" in content
    assert content.count("Edited by 陈静") == 2


def test_saving_a_word_list(client_for, store_manager, store):
    response = client_for(store_manager).post(
        words_url(), {"promotion-zh-hans-words": " 福利\n\n到店礼\n福利\n"}
    )
    assert response.status_code == 302
    row = EtiquetteWords.objects.get(store=store, category="promotion", language="zh-hans")
    assert row.word_list == ["福利", "到店礼"]
    assert row.updated_by == store_manager


def test_saving_a_word_list_with_htmx_answers_with_that_list(client_for, store_manager):
    response = client_for(store_manager).post(
        words_url("new_products", "en"), {"new_products-en-words": "fresh drop"}, **HTMX
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert content.count('class="word-list"') == 1
    assert "The word list is saved." in content
    assert "Edited by 陈静" in content


@pytest.mark.parametrize("headers", [{}, HTMX])
@pytest.mark.parametrize(
    ("words", "error"),
    [
        ("\n  \n", "Keep at least one word, or go back to the built-in list."),
        ("打折\n" + "很长" * 21, "is longer than 40 characters"),
    ],
)
def test_a_word_list_is_refused_when_empty_or_too_long(client_for, store_manager, headers, words, error):
    response = client_for(store_manager).post(words_url(), {"promotion-zh-hans-words": words}, **headers)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not EtiquetteWords.objects.exists()


def test_a_word_list_back_to_built_in(client_for, store_manager, store):
    EtiquetteWords.objects.create(store=store, category="promotion", language="en", words="bargain")
    content = (
        client_for(store_manager)
        .post(words_url(language="en", action="reset_words"), **HTMX)
        .content.decode()
    )
    assert not EtiquetteWords.objects.exists()
    assert "back to the built-in one" in content
    assert "clearance" in content


# ---- holiday calendar ------------------------------------------------------------------------------------


def test_opening_the_calendar_writes_nothing_and_offers_to_fill_in_festivals(
    client_for, store_manager, store, django_assert_max_num_queries
):
    client = client_for(store_manager)
    year = timezone.localdate().year
    for days in (5, 6, 7):
        Holiday.objects.create(
            store=store, name=f"会员日 {days}", date=in_days(days), updated_by=store_manager
        )
    with django_assert_max_num_queries(12):
        content = client.get(reverse("tasks:holidays")).content.decode()
    # A GET never writes: tick fills the festivals in; until it has, the page offers a button.
    assert not Holiday.objects.filter(store=store).exclude(source="").exists()
    assert reverse("tasks:fill_festivals") in content

    response = client.post(reverse("tasks:fill_festivals"))
    assert response.status_code == 302
    expected = len(festivals(year)) + len(festivals(year + 1))
    assert Holiday.objects.filter(store=store).exclude(source="").count() == expected
    entry = AuditEntry.objects.get(action="care_setup.festivals_filled")
    assert entry.actor == store_manager
    assert entry.data["added"] == expected

    client.post(reverse("tasks:fill_festivals"))  # a second tap adds nothing, audits nothing
    assert Holiday.objects.filter(store=store).exclude(source="").count() == expected
    assert AuditEntry.objects.filter(action="care_setup.festivals_filled").count() == 1
    with django_assert_max_num_queries(12):
        content = client.get(reverse("tasks:holidays")).content.decode()
    expected += sum(1 for days in (5, 6, 7) if in_days(days).year in (year, year + 1))
    assert content.count('class="holiday-row') == expected
    assert str(year + 1) in content
    assert reverse("tasks:fill_festivals") not in content


def test_the_calendar_names_festivals_in_the_readers_language_and_keeps_a_stores_own_name(
    client_for, store_manager, store
):
    from django.utils import translation

    from tasks.calendar import ensure_festivals

    store.language = "zh-hans"
    store.save()
    store_manager.language = "en"  # a reader of English in a Chinese store
    store_manager.save()
    year = timezone.localdate().year + 1
    ensure_festivals(store, [year])  # filled in the store's language
    renamed = Holiday.objects.get(store=store, source=f"qixi:{year}")
    renamed.name = "情人节特别活动"
    renamed.save()
    with translation.override("zh-hans"):
        as_filled = str(translation.gettext("Mid-Autumn Festival"))
    assert Holiday.objects.get(store=store, source=f"mid_autumn:{year}").name == as_filled
    content = client_for(store_manager).get(reverse("tasks:holidays")).content.decode()
    assert "<strong>Mid-Autumn Festival</strong>" in content
    if as_filled != "Mid-Autumn Festival":
        assert f"<strong>{as_filled}</strong>" not in content  # the edit form keeps the stored name
    assert "<strong>情人节特别活动</strong>" in content


def test_care_setup_changes_are_audited_once_each(client_for, store_manager, store):
    client = client_for(store_manager)
    client.post(reverse("tasks:holidays"), {"name": "店庆日", "date": in_days(30)})
    holiday = Holiday.objects.get(store=store, name="店庆日")
    client.post(
        reverse("tasks:edit_holiday", args=[holiday.pk]),
        {f"holiday-{holiday.pk}-name": "店庆", "name": "店庆", "date": in_days(31), "greet": "on"},
    )
    client.post(reverse("tasks:holiday_greetings", args=[holiday.pk]), {"greet": "off"})
    client.post(reverse("tasks:delete_holiday", args=[holiday.pk]))
    codes = list(AuditEntry.objects.order_by("at", "id").values_list("action", flat=True))
    assert codes == [
        "care_setup.holiday_added",
        "care_setup.holiday_changed",
        "care_setup.holiday_changed",
        "care_setup.holiday_deleted",
    ]
    assert all(entry.actor == store_manager for entry in AuditEntry.objects.all())
    assert not Holiday.objects.filter(pk=holiday.pk).exists()


def test_adding_a_store_date(client_for, store_manager, store):
    response = client_for(store_manager).post(
        reverse("tasks:holidays"), {"name": " 店庆日 ", "date": in_days(30)}
    )
    assert response.status_code == 302
    holiday = Holiday.objects.get(store=store, name="店庆日")
    assert holiday.date == in_days(30)
    assert holiday.greet is True
    assert holiday.source == ""
    assert holiday.updated_by == store_manager


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_a_date_in_the_past_is_refused(client_for, store_manager, store, headers):
    response = client_for(store_manager).post(
        reverse("tasks:holidays"), {"name": "会员日", "date": in_days(-1)}, **headers
    )
    assert response.status_code == 200
    assert "That date has passed" in response.content.decode()
    assert not Holiday.objects.filter(name="会员日").exists()


def test_the_same_name_on_the_same_date_is_refused(client_for, store_manager, store):
    Holiday.objects.create(store=store, name="会员日", date=in_days(10))
    content = (
        client_for(store_manager)
        .post(reverse("tasks:holidays"), {"name": "会员日", "date": in_days(10)}, **HTMX)
        .content.decode()
    )
    assert "is already on" in content
    assert Holiday.objects.filter(name="会员日").count() == 1


def test_another_store_may_have_the_same_date(client_for, store_manager, other_store):
    Holiday.objects.create(store=other_store, name="会员日", date=in_days(10))
    client_for(store_manager).post(reverse("tasks:holidays"), {"name": "会员日", "date": in_days(10)})
    assert Holiday.objects.filter(name="会员日").count() == 2


def test_greetings_off_and_on_in_one_tap(client_for, store_manager, store):
    holiday = Holiday.objects.create(store=store, name="会员日", date=in_days(10))
    client = client_for(store_manager)
    response = client.post(reverse("tasks:holiday_greetings", args=[holiday.pk]), {"greet": "off"}, **HTMX)
    assert "Greetings off for 会员日." in response.content.decode()
    holiday.refresh_from_db()
    assert holiday.greet is False
    assert holiday.updated_by == store_manager
    client.post(reverse("tasks:holiday_greetings", args=[holiday.pk]), {"greet": "on"})
    holiday.refresh_from_db()
    assert holiday.greet is True


def test_moving_and_renaming_a_festival(client_for, store_manager, store):
    year = timezone.localdate().year + 1
    client = client_for(store_manager)
    client.post(reverse("tasks:fill_festivals"))
    festival = Holiday.objects.get(store=store, source=f"mid_autumn:{year}")
    response = client.post(
        reverse("tasks:edit_holiday", args=[festival.pk]),
        {"name": "中秋佳节", "date": festival.date + dt.timedelta(days=1), "greet": "on"},
    )
    assert response.status_code == 302
    moved = Holiday.objects.get(pk=festival.pk)
    assert (moved.name, moved.date, moved.greet) == ("中秋佳节", festival.date + dt.timedelta(days=1), True)
    # Filling in again writes nothing over the store's change.
    client.post(reverse("tasks:fill_festivals"))
    assert Holiday.objects.get(pk=festival.pk).name == "中秋佳节"


def test_moving_into_the_past_is_refused_and_the_form_stays_open(client_for, store_manager, store):
    holiday = Holiday.objects.create(store=store, name="会员日", date=in_days(10))
    response = client_for(store_manager).post(
        reverse("tasks:edit_holiday", args=[holiday.pk]), {"name": "会员日", "date": in_days(-3)}
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "That date has passed" in content
    assert f'id="holiday-{holiday.pk}"' in content
    assert Holiday.objects.get(pk=holiday.pk).date == in_days(10)


def test_deleting_a_store_date(client_for, store_manager, store):
    holiday = Holiday.objects.create(store=store, name="会员日", date=in_days(10))
    response = client_for(store_manager).post(reverse("tasks:delete_holiday", args=[holiday.pk]), **HTMX)
    assert "会员日 is off the calendar." in response.content.decode()
    assert not Holiday.objects.filter(pk=holiday.pk).exists()


def test_a_festival_cannot_be_deleted(client_for, store_manager, store):
    client = client_for(store_manager)
    client.post(reverse("tasks:fill_festivals"))
    festival = Holiday.objects.filter(store=store).exclude(source="").first()
    response = client.post(reverse("tasks:delete_holiday", args=[festival.pk]), **HTMX)
    assert "switch its greetings off instead" in response.content.decode()
    assert Holiday.objects.filter(pk=festival.pk).exists()
    page = client.get(reverse("tasks:holidays")).content.decode()
    assert reverse("tasks:delete_holiday", args=[festival.pk]) not in page


def test_the_other_stores_manager_gets_404_on_this_stores_dates(client_for, other_manager, store):
    holiday = Holiday.objects.create(store=store, name="会员日", date=in_days(10))
    client = client_for(other_manager)
    assert (
        client.post(reverse("tasks:holiday_greetings", args=[holiday.pk]), {"greet": "off"}).status_code
        == 404
    )
    assert (
        client.post(
            reverse("tasks:edit_holiday", args=[holiday.pk]), {"name": "x", "date": in_days(11)}
        ).status_code
        == 404
    )
    assert client.post(reverse("tasks:delete_holiday", args=[holiday.pk])).status_code == 404
    assert "会员日" not in client.get(reverse("tasks:holidays")).content.decode()
    assert Holiday.objects.get(pk=holiday.pk).greet is True


# ---- the draft box's live check ----------------------------------------------------------------------------


@pytest.fixture
def greeting(store, vip_manager):
    return CareTask.objects.create(
        store=store,
        member=MemberFactory(store=store, name="王丽华"),
        assignee=vip_manager,
        kind=CareTask.Kind.BIRTHDAY_GREETING,
        period="2026",
        due_date=timezone.localdate(),
        reason="test",
    )


def test_the_check_names_what_breaks_the_etiquette(client_for, vip_manager, greeting):
    response = client_for(vip_manager).post(
        reverse("tasks:check_draft"), {"task": greeting.pk, "message": "生日快乐！今天全场打折"}, **HTMX
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert f'id="draft-warnings-{greeting.pk}"' in content
    assert "“打折” reads as a promotion" in content
    assert "Sign with the store's name and yours at the end (“北京王府井店 王丽”)." in html.unescape(content)


def test_the_check_passes_a_good_message(client_for, vip_manager, greeting):
    response = client_for(vip_manager).post(
        reverse("tasks:check_draft"),
        {"task": greeting.pk, "message": "生日快乐！\n——北京王府井店 王丽"},
        **HTMX,
    )
    assert "Nothing to fix" in response.content.decode()


def test_the_store_manager_may_check_a_colleagues_task(client_for, store_manager, greeting):
    response = client_for(store_manager).post(
        reverse("tasks:check_draft"), {"task": greeting.pk, "message": "hi"}
    )
    assert response.status_code == 200


def test_the_check_is_404_outside_the_users_tasks(client_for, other_manager, store, greeting):
    colleague = StaffFactory(store=store, roles=["vip_manager"])
    check = reverse("tasks:check_draft")
    assert client_for(other_manager).post(check, {"task": greeting.pk, "message": "x"}).status_code == 404
    assert client_for(colleague).post(check, {"task": greeting.pk, "message": "x"}).status_code == 404
    assert client_for(colleague).post(check, {"task": "abc", "message": "x"}).status_code == 404


def test_the_check_needs_the_task_permission(client_for, front_desk, greeting):
    response = client_for(front_desk).post(
        reverse("tasks:check_draft"), {"task": greeting.pk, "message": "x"}
    )
    assert response.status_code == 403


# ---- the draft box itself ----------------------------------------------------------------------------------


def render_draft_box(task, user):
    request = RequestFactory().get("/")
    request.user = user
    request.LANGUAGE_CODE = "zh-hans"
    return render_to_string("tasks/includes/draft.html", draft_context(task, user, request), request=request)


def test_the_draft_box_has_the_text_the_check_and_the_buttons(greeting, vip_manager):
    greeting.member.phone = "138 1234 5678"
    greeting.member.save()
    box = render_draft_box(greeting, vip_manager)
    assert '<textarea id="draft-' in box and 'name="message"' in box
    assert "王丽华您好！今天是您的生日" in box
    assert f'hx-post="{reverse("tasks:check_draft")}"' in box
    assert 'hx-trigger="input changed delay:400ms"' in box
    assert "Nothing to fix" in box
    assert "Copy message" in box
    assert 'href="sms:138%201234%205678?&amp;body=%E7%8E%8B%E4%B8%BD%E5%8D%8E' in box


def test_the_draft_box_has_no_messages_link_without_the_phone_permission(greeting, front_desk):
    assert "sms:" not in render_draft_box(greeting, front_desk)


def test_the_draft_box_of_a_dormant_call_is_the_miss_you_message(store, vip_manager):
    task = CareTask.objects.create(
        store=store,
        member=MemberFactory(store=store, name="王丽华"),
        assignee=vip_manager,
        kind=CareTask.Kind.DORMANT_CALL,
        period="2026-06-01",
        due_date=timezone.localdate(),
        reason="test",
    )
    box = render_draft_box(task, vip_manager)
    assert "If the call does not reach them, send this instead." in box
    assert "好久不见" in box
