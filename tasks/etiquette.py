# ruff: noqa: RUF001 - the built-in Chinese word lists are data, written as the staff write them.
"""The message etiquette (DOMAIN.md), checked on every draft and template.

- Birthday, anniversary and holiday greetings are wishes only: no promotion words.
- Season-change messages are care only: no new-product words.
- "Long time no see" messages say we miss you: no questions about what happened.
- A visit's confirmation and the thank-you after it are service: no promotion words either.
- Every message ends with the store's name and the sender's.

Each rule has a word list per language; a store may replace any list with its own. Both languages'
lists apply to every message, whatever its language: staff mix them ("全场SALE", "new in 新品"),
and a promotion is a promotion in either. Chinese words match anywhere in the text; words in Latin
letters match case-insensitively on word boundaries, so "sale" does not fire on "wholesale".
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tasks.models import EtiquetteWords
from tasks.models.messages import Purpose

Category = EtiquetteWords.Category
ZH = "zh-hans"
EN = "en"

# fmt: off
BUILT_IN_WORDS = {
    (Category.PROMOTION, ZH): [
        "促销", "大促", "打折", "折扣", "折起", "几折", "五折", "半价", "优惠", "钜惠",
        "让利", "满减", "满送", "满赠", "满额", "特价", "直降", "低至", "买一送一",
        "积分翻倍", "双倍积分", "限时", "抢购", "秒杀", "清仓", "甩卖", "活动价",
        "会员价", "专享价", "福利价", "代金券", "优惠券", "返券", "返现", "红包",
        "团购", "爆款", "下单", "包邮",
    ],
    (Category.NEW_PRODUCTS, ZH): [
        "新品", "上新", "新款", "新到", "到货", "新系列", "首发", "新上市", "上市",
        "新货", "新品发布", "限量款", "预售", "当季新款",
    ],
    (Category.WHAT_HAPPENED, ZH): [
        "怎么了", "发生了什么", "出什么事", "出了什么事", "是不是不满意", "不满意",
        "为什么不来", "为什么没来", "怎么不来", "怎么没来", "是否有什么问题",
        "有什么问题吗", "是不是有什么", "是不是我们", "哪里做得不好", "有什么不满",
    ],
    (Category.PROMOTION, EN): [
        "sale", "sales", "discount", "discounts", "% off", "promotion", "promo", "offer", "offers",
        "coupon", "coupons", "voucher", "vouchers", "deal", "deals", "clearance", "limited time",
        "buy one get one", "double points", "cashback", "shop now", "member price",
    ],
    (Category.NEW_PRODUCTS, EN): [
        "new arrival", "new arrivals", "new collection", "latest collection", "just arrived", "new in",
        "launch", "launches", "launched", "new products", "new styles", "back in stock", "pre-order",
    ],
    (Category.WHAT_HAPPENED, EN): [
        "what happened", "is something wrong", "is anything wrong", "anything wrong", "why haven't you",
        "why have you not", "why didn't you", "were you unhappy", "are you unhappy", "unhappy with",
        "did something happen", "did we do something wrong", "is everything all right", "is everything ok",
    ],
}
# fmt: on

# Which list each kind of message must stay clear of.
CATEGORY_OF_PURPOSE = {
    Purpose.BIRTHDAY: Category.PROMOTION,
    Purpose.ANNIVERSARY: Category.PROMOTION,
    Purpose.HOLIDAY: Category.PROMOTION,
    Purpose.SEASON: Category.NEW_PRODUCTS,
    Purpose.MISS_YOU: Category.WHAT_HAPPENED,
    # A visit's confirmation and thank-you are service: selling in them spoils both.
    Purpose.VISIT_CONFIRMATION: Category.PROMOTION,
    Purpose.THANK_YOU: Category.PROMOTION,
}

_WISH_ONLY = {
    Purpose.BIRTHDAY: gettext_lazy("A birthday greeting is a wish only"),
    Purpose.ANNIVERSARY: gettext_lazy("An anniversary greeting is a wish only"),
    Purpose.HOLIDAY: gettext_lazy("A holiday greeting is a wish only"),
    Purpose.VISIT_CONFIRMATION: gettext_lazy("A visit's confirmation is service only"),
    Purpose.THANK_YOU: gettext_lazy("A thank-you after a visit is thanks only"),
}

# How many of the last non-blank lines count as "the end" where the signature belongs.
SIGNATURE_LINES = 2
MAX_WORD_LENGTH = 40


@dataclass(frozen=True)
class EtiquetteWarning:
    """One broken rule, in plain words in the active language (a value, not a Python warning)."""

    code: str  # "promotion", "new_products", "what_happened" or "signature"
    message: str
    words: tuple = field(default=())

    def __str__(self):
        return self.message


def _normal(text):
    # Full-width letters, curly apostrophes and case must not hide a word.
    return unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'").casefold()


def _is_latin(char):
    return char.isascii() and char.isalnum()


def _pattern(word):
    """Latin ends match on word boundaries; a Chinese end (or "%") matches anywhere."""
    word = _normal(word.strip())
    start = r"(?<![a-z0-9])" if _is_latin(word[0]) else ""
    end = r"(?![a-z0-9])" if _is_latin(word[-1]) else ""
    return re.compile(start + re.escape(word) + end)


def parse_words(text):
    """The words of a list as typed: one per line, blanks dropped, duplicates once."""
    return list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))


def built_in_words(category, language):
    return list(BUILT_IN_WORDS[(Category(category), language)])


def word_lists(store):
    """{(category, language): [words]} for every rule and language, the store's lists first; one query."""
    lists = {key: list(words) for key, words in BUILT_IN_WORDS.items()}
    if store is not None:
        for row in EtiquetteWords.objects.filter(store=store):
            if (row.category, row.language) in lists:
                lists[(Category(row.category), row.language)] = row.word_list
    return lists


def words_for(store, category, language):
    """The store's list for a rule and language, or the built-in one."""
    if store is not None:
        row = EtiquetteWords.objects.filter(store=store, category=category, language=language).first()
        if row is not None and row.word_list:
            return row.word_list
    return built_in_words(category, language)


def find_words(text, words):
    """The words of `words` that occur in `text`; a word inside a longer match is not named twice."""
    normal = _normal(text)
    found = [word for word in dict.fromkeys(words) if word.strip() and _pattern(word).search(normal)]
    return [
        word
        for word in found
        if not any(word != other and _normal(word) in _normal(other) for other in found)
    ]


def _quoted(words):
    return " ".join(f"“{word}”" for word in words)


def _words_message(purpose, category, words):
    values = {"words": _quoted(words)}
    if category == Category.PROMOTION:
        values["lead"] = _WISH_ONLY[purpose]
        return (
            ngettext(
                "%(lead)s: %(words)s reads as a promotion. Take it out.",
                "%(lead)s: %(words)s read as a promotion. Take them out.",
                len(words),
            )
            % values
        )
    if category == Category.NEW_PRODUCTS:
        return (
            ngettext(
                "A season-change message is care only: %(words)s reads as selling new products. Take it out.",
                "A season-change message is care only: %(words)s read as selling new products. "
                "Take them out.",
                len(words),
            )
            % values
        )
    return (
        ngettext(
            "A “long time no see” message says we miss them: %(words)s asks what happened. Take it out.",
            "A “long time no see” message says we miss them: %(words)s ask what happened. Take them out.",
            len(words),
        )
        % values
    )


def signed(text, *, staff_name, store_name):
    """Whether the store's name and the sender's both appear in the last lines of the text."""
    lines = [line for line in text.splitlines() if line.strip()]
    ending = _normal("\n".join(lines[-SIGNATURE_LINES:]))
    return all(_normal(name) in ending for name in (store_name, staff_name) if name and name.strip())


def check_message(text, purpose, *, store, language, staff_name, store_name, lists=None):
    """The etiquette rules `text` breaks, as EtiquetteWarning objects; [] when it reads well.

    `language` is the message's language: its own list is searched first, so its words are named
    first; the other language's list applies too. `lists` is word_lists(store), for callers that
    check many texts at once. The store's and sender's names are not message content: a store
    called "New In Plaza" does not sell new products by signing its name.
    """
    from tasks.messages import normalise_language

    purpose = Purpose(purpose)
    language = normalise_language(language)
    category = CATEGORY_OF_PURPOSE[purpose]
    languages = [language, *(code for code in (ZH, EN) if code != language)]
    words = []
    for code in languages:
        words += lists[(category, code)] if lists is not None else words_for(store, category, code)

    body = text
    for name in (store_name, staff_name):
        if name and name.strip():
            body = re.sub(re.escape(name), "\n", body, flags=re.IGNORECASE)

    warnings = []
    found = find_words(body, words)
    if found:
        warnings.append(
            EtiquetteWarning(str(category), _words_message(purpose, category, found), tuple(found))
        )
    if not signed(text, staff_name=staff_name, store_name=store_name):
        signature = " ".join(name for name in (store_name, staff_name) if name)
        warnings.append(
            EtiquetteWarning(
                "signature",
                _("Sign with the store's name and yours at the end (%(signature)s).")
                % {"signature": f"“{signature}”"},
            )
        )
    return warnings
