# ruff: noqa: RUF003 (the translators are given the Chinese wording, with its full-width punctuation)
"""The unified revival scripts (统一话术): what a VIP manager says to a member who went quiet, one per
reason they gave, and an opening for the call before the reason is known.

The store's etiquette (DOMAIN.md) holds: "long time no see" says we miss you and never asks whether
something happened; nothing is pushed on the member. Each script names the remedies it leads to, so
the attempt form can offer them first.

The Chinese wording is given to the translators with each line: it is what the store's best VIP
managers say, not a word-for-word rendering.
"""

from typing import NamedTuple

from django.utils.translation import gettext_lazy as _

from tasks.models import CareTask, RevivalAttempt

Reason = CareTask.DormantReason
Remedy = RevivalAttempt.Remedy

OPENING = ""


class Script(NamedTuple):
    key: str
    title: str
    lines: list  # what to say, in order
    advice: str  # for the staff member, not to be read out
    remedies: list  # [(value, label)] the remedies this script leads to


# reason -> (title, lines to say, advice, remedies). %(member)s is the member's form of address
# (张女士, 王总), %(staff)s the staff member's name, %(store)s the store's.
_SCRIPTS = {
    OPENING: (
        _("Opening: before you know why"),
        [
            # Translators: 中文：“%(member)s您好，我是%(store)s的%(staff)s。好久没见到您了，我们都挺想您的，
            # 今天特地打电话问候您一声。”
            _(
                "Hello %(member)s, this is %(staff)s from %(store)s. We have not seen you for a "
                "long while and we miss you, so I wanted to call and say hello."
            ),
            # Translators: 中文：“最近一切都好吗？换季了，您多注意身体。”
            _("I hope all is well with you. The season is turning: do take good care of yourself."),
            # Translators: 中文：“您什么时候方便过来坐坐，提前跟我说一声，我给您安排好。”
            _("Whenever you would like to drop by, tell me beforehand and I will have everything ready."),
        ],
        _(
            "Say you miss them; do not ask whether something happened. Listen: most members tell you "
            "themselves why they stopped coming. Then choose the reason and the script follows."
        ),
        [(Remedy.USE_REMAINING, Remedy.USE_REMAINING.label), (Remedy.GIFT, Remedy.GIFT.label)],
    ),
    Reason.QUALITY: (
        _("Product quality"),
        [
            # Translators: 中文：“%(member)s，真的很抱歉，东西没有达到您的期望，谢谢您愿意告诉我，
            # 这对我们特别重要。”
            _(
                "%(member)s, I am truly sorry it did not live up to what you expected. Thank you for "
                "telling me: it matters a great deal to us."
            ),
            # Translators: 中文：“我已经把您的意见反馈给品牌了。想请您再给我们一次机会：您来店里免费试用，
            # 我亲自陪您挑。”
            _(
                "I have passed your words on to the brand. I would like to ask for a second chance: "
                "come and try it again free of charge, and I will choose with you myself."
            ),
            # Translators: 中文：“您哪天方便？我给您留好时间。”
            _("Which day would suit you? I will keep the time for you."),
        ],
        _("Apologise first and do not argue about the product. Offer a trial, never a purchase."),
        [(Remedy.FREE_TRIAL, Remedy.FREE_TRIAL.label), (Remedy.GIFT, Remedy.GIFT.label)],
    ),
    Reason.SERVICE: (
        _("Service"),
        [
            # Translators: 中文：“%(member)s，非常抱歉上次让您不愉快，这不是我们想给您的感受。”
            _("%(member)s, I am very sorry we let you down. That is not how we ever want you to feel here."),
            # Translators: 中文：“以后由我亲自为您服务；如果您更希望换一位同事，也请直接告诉我。”
            _(
                "From now on I will look after you myself; if you would rather have another colleague, "
                "just tell me and it is done."
            ),
            # Translators: 中文：“下次您来之前跟我说一声，我提前为您安排好休息室和茶点。”
            _("Tell me before your next visit and the lounge and your tea will be ready for you."),
        ],
        _("Do not defend the colleague: the member's feeling is what counts. Offer a change of staff."),
        [(Remedy.CHANGE_STAFF, Remedy.CHANGE_STAFF.label), (Remedy.GIFT, Remedy.GIFT.label)],
    ),
    Reason.MOVED: (
        _("Moved away"),
        [
            # Translators: 中文：“%(member)s，恭喜您乔迁新居！”
            _("Congratulations on your new home, %(member)s!"),
            # Translators: 中文：“离得远了也没关系：您想过来的时候，来回的车费我们来安排；您不方便的话，
            # 我也可以带着东西上门拜访您。”
            _(
                "Distance need not keep us apart: whenever you would like to come, we will pay for "
                "the taxi; or, if it suits you better, I can visit you at home."
            ),
            # Translators: 中文：“%(member)s，您之前还有未用完的服务和产品，我都给您留着。”
            _("%(member)s, the services and products you have not used yet are kept for you."),
        ],
        _("Offer the taxi or a home visit; agree a date before you end the call."),
        [
            (Remedy.TAXI, Remedy.TAXI.label),
            (Remedy.HOME_VISIT, Remedy.HOME_VISIT.label),
            (Remedy.USE_REMAINING, Remedy.USE_REMAINING.label),
        ],
    ),
    Reason.ELSEWHERE: (
        _("Buys elsewhere"),
        [
            # Translators: 中文：“%(member)s，谢谢您坦诚告诉我，我完全理解。”
            _("%(member)s, thank you for being open with me; I completely understand."),
            # Translators: 中文：“您什么时候想多一个参考，或者需要试穿、保养，随时来找我，不买也没关系。”
            _(
                "Whenever you would like a second opinion, a fitting or some aftercare, I am here for "
                "you, with no need to buy anything."
            ),
            # Translators: 中文：“新到了几样您可能会喜欢的，您有空来免费体验一下。”
            _("A few new things arrived that I think you would enjoy: you are welcome to try them, free."),
        ],
        _("Never run down the other shop. Invite, do not sell: a trial or the services they still have."),
        [(Remedy.FREE_TRIAL, Remedy.FREE_TRIAL.label), (Remedy.USE_REMAINING, Remedy.USE_REMAINING.label)],
    ),
    Reason.TRAVELLING: (
        _("Travelling"),
        [
            # Translators: 中文：“%(member)s，真好，祝您旅途愉快，一路平安！”
            _("How lovely, %(member)s! I hope you have a wonderful trip and travel safely."),
            # Translators: 中文：“您回来后跟我说一声，我给您在贵宾室留一段安静的时间。”
            _("When you are back, let me know and I will keep a quiet hour for you in the VIP lounge."),
            # Translators: 中文：“%(member)s，您的服务和产品都给您保留着，不着急。”
            _("%(member)s, your services and products are kept for you: there is no hurry."),
        ],
        _("Ask when they are back and set the next step for then. Nothing to offer now."),
        [(Remedy.USE_REMAINING, Remedy.USE_REMAINING.label), (Remedy.NONE, Remedy.NONE.label)],
    ),
    Reason.BUSY: (
        _("Busy"),
        [
            # Translators: 中文：“%(member)s，完全理解，您这么忙还接我的电话，谢谢您。”
            _("%(member)s, I completely understand; thank you for taking my call when you are so busy."),
            # Translators: 中文：“您哪天有半小时空，我提前把一切准备好，您来了就不用等；
            # 也可以我上门为您服务。”
            _(
                "Whenever you have half an hour, I will have everything ready so you need not wait; "
                "or I can come to you."
            ),
            # Translators: 中文：“%(member)s，您还有未用完的服务，我都给您留着。”
            _("%(member)s, the services you have not used yet are kept for you."),
        ],
        _("Keep it short. Offer a booked time or a home visit; set the next step on a day they name."),
        [
            (Remedy.HOME_VISIT, Remedy.HOME_VISIT.label),
            (Remedy.USE_REMAINING, Remedy.USE_REMAINING.label),
            (Remedy.TAXI, Remedy.TAXI.label),
        ],
    ),
    Reason.OTHER: (
        _("Other"),
        [
            # Translators: 中文：“%(member)s，谢谢您告诉我。”
            _("Thank you for telling me, %(member)s."),
            # Translators: 中文：“有什么我能做的，让您来店里更方便、更舒心，您尽管说。”
            _("If there is anything I can do to make coming to see us easier or nicer, please just say."),
            # Translators: 中文：“我是%(store)s的%(staff)s，您随时找我。”
            _("I am %(staff)s at %(store)s; you can reach me any time."),
        ],
        _("Write down what they said in the note: the store manager reads it in the daily review."),
        [(Remedy.GIFT, Remedy.GIFT.label), (Remedy.FREE_TRIAL, Remedy.FREE_TRIAL.label)],
    ),
}

SCRIPT_KEYS = tuple(_SCRIPTS)


def script_for(reason, *, member, staff, store):
    """The script for a reason ("" or an unknown reason: the opening), in the active language, with
    the member's form of address, the staff member's name and the store's name filled in."""
    key = reason if reason in _SCRIPTS else OPENING
    title, lines, advice, remedies = _SCRIPTS[key]
    values = {"member": member.address_as, "staff": str(staff), "store": store.name}
    return Script(
        key=str(key),
        title=str(title),
        lines=[str(line) % values for line in lines],
        advice=str(advice),
        remedies=[(str(value), str(label)) for value, label in remedies],
    )


def script_titles():
    """[(key, title)] of every script, the opening first: the script picker's tabs."""
    return [(str(key), str(title)) for key, (title, *_rest) in _SCRIPTS.items()]
