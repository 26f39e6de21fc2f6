"""The etiquette checker: each rule in both languages, the signature, and a store's own word lists."""

import pytest

from tasks import etiquette
from tasks.etiquette import check_message, words_for
from tasks.messages import BUILT_IN_TEMPLATES, render_message
from tasks.models import EtiquetteWords
from tasks.models.messages import Purpose

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

STORE = "北京王府井店"
STAFF = "王丽"
ZH_SIGN = f"\n——{STORE} {STAFF}"
EN_SIGN = f"\n— {STORE} {STAFF}"


def check(text, purpose, store=None, language="zh-hans", staff_name=STAFF, store_name=STORE):
    return check_message(
        text, purpose, store=store, language=language, staff_name=staff_name, store_name=store_name
    )


def codes(warnings):
    return [warning.code for warning in warnings]


@pytest.mark.parametrize(("purpose", "language"), list(BUILT_IN_TEMPLATES))
def test_every_built_in_template_reads_well(purpose, language):
    text = render_message(
        BUILT_IN_TEMPLATES[(purpose, language)], member="王丽华", store=STORE, staff=STAFF, occasion="中秋节"
    )
    assert check(text, purpose, language=language) == []


# ---- greetings are wishes only ---------------------------------------------------------------------


@pytest.mark.parametrize("purpose", [Purpose.BIRTHDAY, Purpose.ANNIVERSARY, Purpose.HOLIDAY])
def test_a_greeting_with_a_chinese_promotion_word_is_flagged(purpose):
    warnings = check("王女士您好！祝您节日快乐，本周全场打折，欢迎光临。" + ZH_SIGN, purpose)
    assert codes(warnings) == ["promotion"]
    assert warnings[0].words == ("打折",)
    assert "“打折”" in warnings[0].message
    assert "reads as a promotion" in warnings[0].message


def test_the_birthday_warning_says_what_a_birthday_greeting_is():
    [warning] = check("祝您生日快乐！生日当月满减优惠。" + ZH_SIGN, Purpose.BIRTHDAY)
    assert warning.message.startswith("A birthday greeting is a wish only:")
    assert "“满减”" in warning.message and "“优惠”" in warning.message
    assert "Take them out." in warning.message


def test_an_english_greeting_with_a_promotion_is_flagged():
    text = "Dear Ms Wang, happy Mid-Autumn Festival! Enjoy 20% OFF all mooncakes." + EN_SIGN
    [warning] = check(text, Purpose.HOLIDAY, language="en")
    assert warning.words == ("% off",)


def test_english_words_match_whole_words_only():
    text = "Dear Ms Wang, happy birthday from all of us in Wholesale Street and Salerno." + EN_SIGN
    assert check(text, Purpose.BIRTHDAY, language="en") == []


def test_both_languages_lists_apply_to_every_message():
    # A Chinese message with an English promotion word, written full-width, and the reverse.
    assert codes(check("王女士您好！祝您生日快乐，全场ＳＡＬＥ！" + ZH_SIGN, Purpose.BIRTHDAY)) == [
        "promotion"
    ]
    english = "Dear Ms Wang, happy birthday! 生日特价 this week." + EN_SIGN
    assert check(english, Purpose.BIRTHDAY, language="en")[0].words == ("特价",)


def test_a_clean_greeting_passes():
    assert check("王女士您好！今天是您的生日，祝您生日快乐，身体健康！" + ZH_SIGN, Purpose.BIRTHDAY) == []


def test_a_promotion_word_is_not_the_season_rule():
    # Season-change messages are held to their own rule (no new products), not the greetings'.
    assert check("王女士您好！立冬了，注意保暖。全场打折。" + ZH_SIGN, Purpose.SEASON) == []


# ---- season-change messages are care only --------------------------------------------------------


def test_a_season_message_with_new_products_is_flagged():
    [warning] = check("王女士您好！立冬了，请注意保暖，本店冬季新品已到店。" + ZH_SIGN, Purpose.SEASON)
    assert warning.code == "new_products"
    assert warning.words == ("新品",)
    assert "care only" in warning.message


def test_an_english_season_message_with_new_arrivals_is_flagged():
    text = "Dear Ms Wang, winter is here: keep warm, and come and see our New Arrivals." + EN_SIGN
    # Named as the list has it: "new arrival" alone does not match inside "arrivals".
    assert check(text, Purpose.SEASON, language="en")[0].words == ("new arrivals",)


def test_a_season_message_about_weather_passes_in_english():
    text = "Dear Ms Wang, the new information is that it will snow: dress warmly and rest well." + EN_SIGN
    assert check(text, Purpose.SEASON, language="en") == []


# ---- "long time no see" says we miss you ---------------------------------------------------------


def test_a_miss_you_message_that_asks_what_happened_is_flagged():
    [warning] = check("王女士您好！好久不见，最近怎么了？是不是不满意？" + ZH_SIGN, Purpose.MISS_YOU)
    assert warning.code == "what_happened"
    # "不满意" sits inside "是不是不满意": the longer phrase is named, once.
    assert warning.words == ("怎么了", "是不是不满意")


def test_an_english_miss_you_message_asking_why_is_flagged_with_a_curly_apostrophe():
    text = "Dear Ms Wang, we miss you. Why haven’t you been in lately?" + EN_SIGN
    [warning] = check(text, Purpose.MISS_YOU, language="en")
    assert warning.words == ("why haven't you",)
    assert "asks what happened" in warning.message


def test_a_warm_miss_you_message_passes():
    assert check("王女士您好！好久不见，我们都很想念您，有空来坐坐。" + ZH_SIGN, Purpose.MISS_YOU) == []


# ---- the signature -------------------------------------------------------------------------------


def test_a_message_without_the_signature_is_flagged():
    [warning] = check("王女士您好！祝您生日快乐！", Purpose.BIRTHDAY)
    assert warning.code == "signature"
    assert warning.message == "Sign with the store's name and yours at the end (“北京王府井店 王丽”)."


def test_the_signature_must_be_at_the_end():
    text = f"{STORE} {STAFF}：\n王女士您好！\n祝您生日快乐！\n身体健康！"
    assert codes(check(text, Purpose.BIRTHDAY)) == ["signature"]


def test_only_the_staff_name_is_not_enough():
    assert codes(check(f"祝您生日快乐！\n——{STAFF}", Purpose.BIRTHDAY)) == ["signature"]


def test_the_signature_may_take_two_lines_and_any_case():
    text = "Dear Ms Wang, happy birthday!\nWith love,\nlucy at the bund store"
    assert check(text, Purpose.BIRTHDAY, language="en", staff_name="Lucy", store_name="The Bund Store") == []


def test_names_in_the_signature_are_not_message_content():
    text = "Dear Ms Wang, winter is here: keep warm.\n— New In Plaza Lucy"
    assert check(text, Purpose.SEASON, language="en", staff_name="Lucy", store_name="New In Plaza") == []


def test_both_rules_can_fail_at_once():
    assert codes(check("祝您生日快乐！限时抢购！", Purpose.BIRTHDAY)) == ["promotion", "signature"]


# ---- a store's own word lists --------------------------------------------------------------------


def test_a_stores_list_replaces_the_built_in_one(store):
    EtiquetteWords.objects.create(
        store=store, category="promotion", language="zh-hans", words="福利\n 到店礼 \n"
    )
    assert words_for(store, "promotion", "zh-hans") == ["福利", "到店礼"]
    warnings = check(
        "王女士您好！生日快乐，到店礼等您来领，本周打折。" + ZH_SIGN, Purpose.BIRTHDAY, store=store
    )
    # 打折 is not on the store's Chinese list any more; the English list is still the built-in one.
    assert warnings[0].words == ("到店礼",)
    english = check("Happy birthday! Big SALE." + EN_SIGN, Purpose.BIRTHDAY, store=store, language="en")
    assert english[0].words == ("sale",)


def test_another_stores_list_does_not_apply(store, other_store):
    EtiquetteWords.objects.create(store=other_store, category="promotion", language="zh-hans", words="生日")
    assert words_for(store, "promotion", "zh-hans") == etiquette.built_in_words("promotion", "zh-hans")
    assert check("王女士您好！祝您生日快乐！" + ZH_SIGN, Purpose.BIRTHDAY, store=store) == []


def test_word_lists_loads_every_list_in_one_query(store, django_assert_num_queries):
    EtiquetteWords.objects.create(store=store, category="new_products", language="en", words="fresh drop")
    with django_assert_num_queries(1):
        lists = etiquette.word_lists(store)
    assert lists[("new_products", "en")] == ["fresh drop"]
    assert lists[("promotion", "en")] == etiquette.built_in_words("promotion", "en")
    text = "Dear Ms Wang, keep warm. The fresh drop is in." + EN_SIGN
    warnings = check_message(
        text, Purpose.SEASON, store=store, language="en", staff_name=STAFF, store_name=STORE, lists=lists
    )
    assert warnings[0].words == ("fresh drop",)


def test_parse_words_drops_blanks_and_repeats():
    assert etiquette.parse_words(" 打折\n\n打折\r\nsale \n") == ["打折", "sale"]
