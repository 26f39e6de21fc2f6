"""Messages stored as code and parameters, rendered in whichever language is active."""

import json

import pytest
from django.utils.translation import gettext_lazy, gettext_noop, ngettext_lazy, override

from concierge.i18n import Message, render_stored
from concierge.models import Assignment


def stored(message):
    # What the database gives back: JSON text, read again.
    return json.loads(json.dumps(message.to_json()))


def test_a_message_renders_in_the_active_language_after_a_round_trip():
    message = Message(
        gettext_noop("%(actor)s asks you to look after %(member)s."), actor="陈静", member="王丽华"
    )
    data = stored(message)
    with override("en"):
        assert render_stored(data) == "陈静 asks you to look after 王丽华."
    with override("zh-hans"):
        assert render_stored(data) == "陈静 请您负责 王丽华。"


def test_a_plural_message_keeps_its_count_and_both_forms():
    message = Message.counted(
        ngettext_lazy("%(count)d care task is due today", "%(count)d care tasks are due today"), 1
    )
    with override("en"):
        assert render_stored(stored(message)) == "1 care task is due today"
        message.count = 3
        assert render_stored(stored(message)) == "3 care tasks are due today"


def test_a_term_inside_a_message_is_translated_when_shown():
    state = Assignment.State.ACTIVE.label
    message = Message(gettext_noop("This assignment is already “%(state)s”."), state=state)
    assert stored(message)["params"]["state"] == {"message": {"id": "Active"}}
    with override("en"):
        assert render_stored(stored(message)) == "This assignment is already “Active”."


def test_a_list_parameter_is_joined():
    message = Message(
        gettext_noop("Follow up on %(why)s"),
        why=[Message(gettext_noop("Birthday on %(date)s"), date="2026-01-02"), "x"],
    )
    with override("en"):
        assert render_stored(stored(message)) == "Follow up on Birthday on 2026-01-02; x"
    with override("zh-hans"):  # a Chinese sentence lists with the full-width semicolon
        assert render_stored(stored(message)) == "需回访：2026-01-02 生日\uff1bx"


def test_a_broken_or_missing_message_falls_back_to_the_text():
    assert render_stored(None, "旧提醒") == "旧提醒"
    assert render_stored({"no": "id"}, "旧提醒") == "旧提醒"
    # A parameter missing from the stored values never raises on the page.
    with override("en"):
        assert render_stored({"id": "Birthday on %(date)s"}) == "Birthday on %(date)s"


def test_only_source_strings_and_lazy_texts_are_messages():
    with pytest.raises(TypeError):
        Message(42)
    with pytest.raises(TypeError):
        Message.counted(gettext_lazy("Active"), 2)
