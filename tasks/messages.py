# ruff: noqa: RUF001 - the built-in Chinese wording is data, written with Chinese punctuation.
"""Draft messages for greetings: the store's template (or the built-in one) with the names filled in.

Staff copy the draft into the phone's messaging app, so the text is written the way a department
store's VIP manager writes a WeChat or SMS greeting: warm, short, a wish and nothing to sell, and
signed with the store and the sender's name. tasks/etiquette.py checks drafts against the rules.
"""

import re

from django.conf import settings
from django.utils import timezone, translation

from tasks.models import CareTask, MessageTemplate
from tasks.models.messages import Purpose

ZH = "zh-hans"
EN = "en"
LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)

PLACEHOLDERS = ("member", "store", "staff", "occasion", "time")
# The signature every template ends with; the etiquette checker looks for the names it fills in.
SIGNATURE = "{store} {staff}"

Kind = CareTask.Kind

# The message each kind of task sends. A dormant call that does not reach the member sends the
# "long time no see" message instead; calls and reviews otherwise have none.
PURPOSE_OF_KIND = {
    Kind.BIRTHDAY_GREETING: Purpose.BIRTHDAY,
    Kind.BIRTHDAY_GIFT: Purpose.BIRTHDAY,
    Kind.ANNIVERSARY_GREETING: Purpose.ANNIVERSARY,
    Kind.HOLIDAY_GREETING: Purpose.HOLIDAY,
    Kind.SEASON_GREETING: Purpose.SEASON,
    Kind.DORMANT_CALL: Purpose.MISS_YOU,
    Kind.VISIT_CONFIRMATION: Purpose.VISIT_CONFIRMATION,
    Kind.THANK_YOU_CALL: Purpose.THANK_YOU,
}

# A visit's messages greet the member by their form of address (张女士, 王总), not their full name.
VISIT_PURPOSES = frozenset({Purpose.VISIT_CONFIRMATION, Purpose.THANK_YOU})

BUILT_IN_TEMPLATES = {
    (Purpose.BIRTHDAY, ZH): (
        "{member}您好！今天是您的生日，祝您生日快乐，身体健康，万事顺意！\n——{store} {staff}"
    ),
    (Purpose.ANNIVERSARY, ZH): (
        "{member}您好！今天是您的纪念日，祝您和家人幸福美满、岁岁安康，"
        "愿每一个重要的日子都有温暖相伴！\n——{store} {staff}"
    ),
    (Purpose.HOLIDAY, ZH): (
        "{member}您好！值此{occasion}之际，祝您和家人节日快乐，阖家幸福，万事如意！\n——{store} {staff}"
    ),
    (Purpose.SEASON, ZH): (
        "{member}您好！今逢{occasion}，天气冷暖多变，请您留意天气、适时增减衣物，"
        "注意休息，保重身体。\n——{store} {staff}"
    ),
    (Purpose.MISS_YOU, ZH): (
        "{member}您好！好久不见，我们都很想念您。最近天气多变，请您多保重身体。"
        "有空路过时欢迎来坐坐、喝杯茶，我们随时恭候。\n——{store} {staff}"
    ),
    (Purpose.VISIT_CONFIRMATION, ZH): (
        "{member}您好！跟您确认一下：您预约了{time}到{store}，届时我会在店里恭候您。"
        "如行程有变，随时告诉我就好。\n——{store} {staff}"
    ),
    (Purpose.THANK_YOU, ZH): (
        "{member}您好！感谢您{time}光临{store}，能为您服务很开心。"
        "天气多变，请多保重，期待再次见到您！\n——{store} {staff}"
    ),
    (Purpose.BIRTHDAY, EN): (
        "Dear {member}, happy birthday! Wishing you good health, happiness and a wonderful year ahead."
        "\n— {store} {staff}"
    ),
    (Purpose.ANNIVERSARY, EN): (
        "Dear {member}, warm wishes on your anniversary. May the year ahead bring you and your loved ones "
        "much happiness and good health.\n— {store} {staff}"
    ),
    (Purpose.HOLIDAY, EN): (
        "Dear {member}, wishing you and your family a happy {occasion}, full of warmth, good health "
        "and joy.\n— {store} {staff}"
    ),
    (Purpose.SEASON, EN): (
        "Dear {member}, today marks the {occasion} and the weather is changing. Please dress for the "
        "temperature, rest well and take good care of yourself.\n— {store} {staff}"
    ),
    (Purpose.MISS_YOU, EN): (
        "Dear {member}, it has been a while and we miss seeing you. We hope you and your family are "
        "keeping well. Whenever you are passing by, do drop in for a cup of tea: it would be lovely "
        "to see you.\n— {store} {staff}"
    ),
    (Purpose.VISIT_CONFIRMATION, EN): (
        "Dear {member}, this is to confirm your visit to {store} on {time}. I look forward to "
        "welcoming you; if your plans change, just let me know.\n— {store} {staff}"
    ),
    (Purpose.THANK_YOU, EN): (
        "Dear {member}, thank you for visiting {store} on {time}. It was a pleasure to look after "
        "you, and we look forward to seeing you again.\n— {store} {staff}"
    ),
}

# When a task carries no occasion (a holiday greeting made by hand), the sentence still has to read.
OCCASION_FALLBACK = {
    (Purpose.HOLIDAY, ZH): "节日",
    (Purpose.SEASON, ZH): "换季时节",
    (Purpose.HOLIDAY, EN): "holiday",
    (Purpose.SEASON, EN): "change of season",
}

# Names for the preview a store manager sees while editing a template.
SAMPLE_MEMBER = {ZH: "王丽华", EN: "Ms Wang"}
SAMPLE_ADDRESS = {ZH: "王女士", EN: "Ms Wang"}
SAMPLE_OCCASION = {
    (Purpose.HOLIDAY, ZH): "中秋节",
    (Purpose.SEASON, ZH): "立冬",
    (Purpose.HOLIDAY, EN): "Mid-Autumn Festival",
    (Purpose.SEASON, EN): "Start of Winter",
}
SAMPLE_TIME = {
    (Purpose.VISIT_CONFIRMATION, ZH): "12月3日（周四）14:30",
    (Purpose.THANK_YOU, ZH): "12月3日",
    (Purpose.VISIT_CONFIRMATION, EN): "Thursday 3 December at 14:30",
    (Purpose.THANK_YOU, EN): "Thursday 3 December",
}

# Written out here rather than by the server's locale, which is not the member's language.
WEEKDAYS = {
    ZH: ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
    EN: ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")
ANY_PLACEHOLDER = re.compile(r"\{([^{}\s]*)\}")


def normalise_language(code=None):
    """One of the message languages ("zh-hans", "en") for a language code; the active one by default.

    zh-cn and zh-hant get the Chinese templates, en-gb the English ones, anything else the site's.
    """
    code = (code or translation.get_language() or settings.LANGUAGE_CODE).lower().replace("_", "-")
    for known in LANGUAGE_CODES:
        if code == known or code.split("-")[0] == known.split("-")[0]:
            return known
    return settings.LANGUAGE_CODE


def built_in_template(purpose, language):
    return BUILT_IN_TEMPLATES[(Purpose(purpose), normalise_language(language))]


def template_for(store, purpose, language):
    """The store's own wording for the purpose and language, or the built-in one."""
    language = normalise_language(language)
    if store is not None:
        body = (
            MessageTemplate.objects.filter(store=store, purpose=purpose, language=language)
            .values_list("body", flat=True)
            .first()
        )
        if body:
            return body
    return built_in_template(purpose, language)


def occasion_for(purpose, language, occasion=""):
    return occasion or OCCASION_FALLBACK.get((Purpose(purpose), normalise_language(language)), "")


def visit_time(moment, language, *, with_hour=True):
    """A visit's local day (and hour) as a message to the member writes it (SAMPLE_TIME),
    in the message's language."""
    local = timezone.localtime(moment)
    language = normalise_language(language)
    weekday = WEEKDAYS.get(language, WEEKDAYS[EN])[local.weekday()]
    if language == ZH:
        day = f"{local.month}月{local.day}日（{weekday}）"
        return f"{day}{local:%H:%M}" if with_hour else day
    day = f"{weekday} {local.day} {MONTHS_EN[local.month - 1]}"
    return f"{day} at {local:%H:%M}" if with_hour else day


def render_message(body, *, member, store, staff, occasion="", time=""):
    """The template with the placeholders filled in.

    Plain replacement in one pass, never str.format: a store's text may hold braces or
    placeholders we do not know, which stay as they are, and a name that itself looks like a
    placeholder is not filled in again. `member` and `store` may be objects or names.
    """
    values = {
        "member": getattr(member, "name", member) or "",
        "store": getattr(store, "name", store) or "",
        "staff": str(staff or ""),
        "occasion": occasion or "",
        "time": time or "",
    }
    return _PLACEHOLDER.sub(lambda match: str(values[match.group(1)]), body)


def unknown_placeholders(body):
    """The {names} in a template that are not placeholders, for the template form to refuse."""
    return sorted({name for name in ANY_PLACEHOLDER.findall(body) if name not in PLACEHOLDERS})


def sample_message(body, *, purpose, language, store, staff):
    """The template as it would read for a sample member: the preview on the template page."""
    language = normalise_language(language)
    purpose = Purpose(purpose)
    return render_message(
        body,
        member=(SAMPLE_ADDRESS if purpose in VISIT_PURPOSES else SAMPLE_MEMBER)[language],
        store=store,
        staff=staff,
        occasion=SAMPLE_OCCASION.get((purpose, language), ""),
        time=SAMPLE_TIME.get((purpose, language), ""),
    )


def draft_for(task, user, language=None):
    """(purpose, text) of the message for a task, written for `user` to send; None for calls."""
    purpose = PURPOSE_OF_KIND.get(task.kind)
    if purpose is None:
        return None
    language = normalise_language(language)
    body = template_for(task.store, purpose, language)
    member, time = task.member, ""
    if purpose in VISIT_PURPOSES:
        with translation.override(language):
            member = task.member.address_as
        appointment = task.appointment
        if appointment is not None:
            time = visit_time(
                appointment.starts_at, language, with_hour=purpose == Purpose.VISIT_CONFIRMATION
            )
    text = render_message(
        body,
        member=member,
        store=task.store,
        staff=user,
        occasion=occasion_for(purpose, language, task.occasion),
        time=time,
    )
    return purpose, text


def draft_context(task, user, request, edited=None):
    """The context templates/tasks/includes/draft.html needs (task, draft, purpose, warnings), or {}
    for kinds without a message.

    After a completion form is refused, the text the user edited (`edited`, as the form holds it)
    comes back instead of a fresh draft.
    """
    from tasks import etiquette

    language = normalise_language(getattr(request, "LANGUAGE_CODE", None))
    drafted = draft_for(task, user, language)
    if drafted is None:
        return {}
    purpose, text = drafted
    if edited is not None:
        text = edited
    return {
        "task": task,
        "draft": text,
        "purpose": purpose,
        "language": language,
        "warnings": etiquette.check_message(
            text,
            purpose,
            store=task.store,
            language=language,
            staff_name=str(user),
            store_name=task.store.name,
        ),
    }
