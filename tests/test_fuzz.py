"""Odd input never gives an error page: every form of the project posted with fuzzed values through
its real view, and fuzzed query strings on every page, as every role.

Fuzzed values: text with NUL bytes, huge and negative numbers, 2**63, far dates, unicode, lists
where one value is expected, nothing at all. Each example runs in a savepoint that is rolled back,
so examples do not see each other's writes.

HYPOTHESIS_PROFILE=long runs many more examples (the default profile keeps the suite fast).
HYPOTHESIS_PROFILE=explicit runs only the inputs that once gave error pages: bin/test's SQLite pass,
after the PostgreSQL one has drawn the random examples (the same ones: they are derandomized).
"""

import importlib
import os
import pkgutil

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from complaints.models import Category
from concierge.models import ApiToken
from tasks.models import RevivalCase
from tests.helpers import HTMX
from tests.two_stores import (
    PERSONAS,
    filler,
    first_pk,
    project_apps,
    revival_campaign,
    routes,
    world_for_the_module,
)

settings.register_profile(
    "ci",
    max_examples=4,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long",
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("explicit", settings.get_profile("ci"), phases=[Phase.explicit])
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
EXAMPLES = settings.get_profile(PROFILE).max_examples

pytestmark = pytest.mark.django_db

ODD_VALUES = [
    "",
    " ",
    "0",
    "-1",
    "1",
    str(2**31),
    str(2**63 - 1),
    str(2**63),
    str(-(2**63) - 1),
    "9" * 40,
    "1e400",
    "NaN",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "\x00",
    "a\x00b",
    "on",
    "true",
    "会员\u200b",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "{member}{0}%s%(x)s",
    "<script>x</script>",
    "//evil.example/",
    "https://evil.example/",
    "x" * 2100,
]


def values(world):
    """One posted value: an odd one, a real id of either store, or any text at all."""
    ids = [
        str(pk)
        for store in (world.a, world.b)
        for pk in (
            store.member.pk,
            store.staff["vip_manager"].pk,
            store.staff["vip2"].pk,
            store.task.pk,
            store.pool_task.pk,
            store.assignment.pk,
            store.holiday.pk,
        )
    ]
    one = st.one_of(
        st.sampled_from(ODD_VALUES),
        st.sampled_from(ids),
        st.text(max_size=30),
        st.integers().map(str),
        st.dates().map(lambda d: d.isoformat()),
    )
    return st.one_of(one, st.lists(one, min_size=2, max_size=3))


def form_data(world, names):
    return st.fixed_dictionaries({}, optional={name: values(world) for name in names})


# ---- every form, through the view that reads it --------------------------------------------------


def project_forms():
    """Every form class defined in the project's apps."""
    packages = [config.name for config in project_apps()]
    for package in packages:
        module = importlib.import_module(package)
        for found in pkgutil.walk_packages(module.__path__, package + "."):
            if ".migrations" not in found.name and ".management" not in found.name:
                importlib.import_module(found.name)
    found, todo = set(), [forms.Form, forms.ModelForm]
    while todo:
        for cls in todo.pop().__subclasses__():
            todo.append(cls)
            # A base others build on (abstract = True in its own body) is fuzzed through them.
            if cls.__module__.split(".")[0] in packages and not cls.__dict__.get("abstract"):
                found.add(cls)
    return found


# Fields a form adds in __init__ (their choices depend on the user or the store).
EXTRA_FIELDS = {
    "TaskPlaceForm": ["from"],  # "from" is a Python keyword
    "StaffCreateForm": ["roles", "caseload_limit"],
    "StaffEditForm": ["roles", "caseload_limit"],
    "DepartmentContactsForm": ["front_desk", "catering", "concierge", "brand"],
}


def _fields(form_class, prefix=""):
    names = [*form_class.base_fields, *EXTRA_FIELDS.get(form_class.__name__, [])]
    return [f"{prefix}-{name}" if prefix else name for name in names]


def _category_prefix():
    from tasks.models import EtiquetteWords

    return f"{EtiquetteWords.Category.values[0]}-en"


def _case(store):
    return first_pk(RevivalCase, store)


# form class name -> (method, URL name, path parameters from a store, persona(s), field prefix from a
# store, or "")
FORM_PAGES = {
    "MemberSearchForm": ("GET", "concierge:member_search", lambda s: [], "front_desk", ""),
    "ContactForm": ("POST", "concierge:add_contact", lambda s: [s.member.pk], "front_desk", ""),
    "AssignForm": ("POST", "concierge:assign", lambda s: [s.member.pk], "store_manager", ""),
    "SpreadForm": ("POST", "concierge:spread", lambda s: [], "store_manager", ""),
    "MoveBookForm": (
        "POST",
        "concierge:move_book",
        lambda s: [s.staff["vip_manager"].pk],
        "store_manager",
        "",
    ),
    "HandoverForm": (
        "POST",
        "concierge:request_handover",
        lambda s: [s.assignment.pk],
        ("vip_manager", "store_manager"),
        "",
    ),
    "ReasonForm": ("POST", "concierge:release", lambda s: [s.assignment.pk], "store_manager", ""),
    "DeclineForm": (
        "POST",
        "concierge:decline",
        lambda s: [s.assignment.pk],
        ("vip_manager", "store_manager"),
        "",
    ),
    "NextForm": ("POST", "concierge:accept", lambda s: [s.assignment.pk], "vip_manager", ""),
    "ClientBookQueryForm": ("GET", "concierge:client_book", lambda s: [], "store_manager", ""),
    "OpenAlertForm": ("POST", "concierge:alert_read", lambda s: [s.alert.pk], "vip_manager", ""),
    "OffsetForm": ("GET", "tasks:my_day", lambda s: [], "vip_manager", ""),
    "ImportForm": ("POST", "concierge:imports", lambda s: [], "store_manager", ""),
    "ApiTokenForm": ("POST", "concierge:setup_api_token_add", lambda s: [], "store_manager", ""),
    "RevokeApiTokenForm": (
        "POST",
        "concierge:setup_api_token_revoke",
        lambda s: [first_pk(ApiToken, s)],
        "store_manager",
        "",
    ),
    "CompleteForm": ("POST", "tasks:complete", lambda s: [s.task.pk], ("vip_manager", "store_manager"), ""),
    "TaskPlaceForm": ("POST", "tasks:snooze", lambda s: [s.task.pk], "vip_manager", ""),
    "SnoozeForm": ("POST", "tasks:snooze", lambda s: [s.task.pk], "vip_manager", ""),
    "SkipForm": ("POST", "tasks:skip", lambda s: [s.task.pk], "vip_manager", ""),
    "PauseForm": (
        "POST",
        "tasks:pause_outreach",
        lambda s: [s.member.pk],
        ("vip_manager", "complaint_handler"),
        "",
    ),
    "DraftCheckForm": ("POST", "tasks:check_draft", lambda s: [], "vip_manager", ""),
    "TeamQueryForm": ("GET", "tasks:team", lambda s: [], "store_manager", ""),
    "CampaignPickForm": (
        "GET",
        "tasks:revival_dashboard",
        lambda s: [],
        ("store_manager", "other_manager"),
        "",
    ),
    "MoveTasksForm": (
        "POST",
        "tasks:move_tasks",
        lambda s: [s.staff["vip_manager"].pk],
        "store_manager",
        "",
    ),
    "HandOutForm": ("POST", "tasks:hand_out", lambda s: [], "store_manager", ""),
    "MessageTemplateForm": (
        "POST",
        "tasks:edit_template",
        lambda s: ["birthday", "zh-hans"],
        "store_manager",
        "",
    ),
    "WordListForm": (
        "POST",
        "tasks:edit_words",
        lambda s: _category_prefix().rsplit("-", 1),
        "store_manager",
        lambda s: _category_prefix(),
    ),
    "RevivalAttemptForm": (
        "POST",
        "tasks:revival_attempt",
        lambda s: [_case(s)],
        ("vip_manager", "store_manager"),
        "",
    ),
    "RevivalScriptForm": ("GET", "tasks:revival_case", lambda s: [_case(s)], "vip_manager", ""),
    "RevivalGuidanceForm": (
        "POST",
        "tasks:revival_guidance",
        lambda s: [_case(s)],
        "store_manager",
        "",
    ),
    "RevivalReassignForm": (
        "POST",
        "tasks:revival_reassign",
        lambda s: [_case(s)],
        "store_manager",
        "",
    ),
    "RevivalLostForm": ("POST", "tasks:revival_lost", lambda s: [_case(s)], "store_manager", ""),
    "RevivalCasesQueryForm": (
        "GET",
        "tasks:revival_my_cases",
        lambda s: [],
        ("vip_manager", "store_manager"),
        "",
    ),
    "RevivalReviewQueryForm": ("GET", "tasks:revival_review", lambda s: [], "store_manager", ""),
    "HolidayForm": ("POST", "tasks:edit_holiday", lambda s: [s.holiday.pk], "store_manager", ""),
    "GreetingsForm": ("POST", "tasks:holiday_greetings", lambda s: [s.holiday.pk], "store_manager", ""),
    "LanguageForm": ("POST", "concierge:profile", lambda s: [], "vip_manager", ""),
    "RevivalCampaignForm": ("POST", "tasks:revival_campaign_new", lambda s: [], "store_manager", ""),
    "RevivalPeopleForm": (
        "POST",
        "tasks:revival_campaign_open",
        lambda s: [revival_campaign(s).pk],
        "store_manager",
        "",
    ),
    "RevivalCloseForm": (
        "POST",
        "tasks:revival_campaign_close",
        lambda s: [revival_campaign(s).pk],
        "store_manager",
        "",
    ),
    "RevivalSettingsForm": ("POST", "tasks:revival_setup", lambda s: [], "store_manager", ""),
    "SwitchLanguageForm": ("POST", "set_language", lambda s: [], ("vip_manager", "anonymous"), ""),
    "LoginForm": ("POST", "login", lambda s: [], "anonymous", ""),
    "LedgerFilterForm": ("GET", "tasks:revival_ledger", lambda s: [], "store_manager", ""),
    "LedgerSelectionForm": ("POST", "tasks:revival_ledger_pay", lambda s: [], "store_manager", ""),
    "CorrectionForm": ("POST", "tasks:revival_ledger_correct", lambda s: [], "store_manager", ""),
    "StatementForm": (
        "GET",
        "tasks:revival_statement",
        lambda s: [],
        ("vip_manager", "store_manager"),
        "",
    ),
    "StaffCreateForm": ("POST", "concierge:setup_staff_new", lambda s: [], ("store_manager", "admin"), ""),
    "StaffEditForm": (
        "POST",
        "concierge:setup_staff_detail",
        lambda s: [s.staff["vip_manager"].pk],
        "store_manager",
        "",
    ),
    "PasswordResetForm": (
        "POST",
        "concierge:setup_staff_password",
        lambda s: [s.staff["vip_manager"].pk],
        "store_manager",
        "",
    ),
    "StaffActiveForm": (
        "POST",
        "concierge:setup_staff_active",
        lambda s: [s.staff["vip_manager"].pk],
        "store_manager",
        "",
    ),
    "UnlockForm": (
        "POST",
        "concierge:setup_staff_unlock",
        lambda s: [s.staff["vip_manager"].pk],
        "store_manager",
        "",
    ),
    "TierProgramForm": ("POST", "concierge:setup_tiers", lambda s: [], "store_manager", lambda s: "program"),
    "BoardQueryForm": ("GET", "concierge:board", lambda s: [], ("front_desk", "other_manager"), ""),
    "WalkInSearchForm": ("GET", "concierge:walk_in", lambda s: [], "front_desk", ""),
    "WalkInForm": ("POST", "concierge:walk_in", lambda s: [], ("front_desk", "store_manager"), ""),
    "ComplaintPeriodForm": (
        "GET",
        "complaints:overview",
        lambda s: [],
        ("store_manager", "other_manager"),
        "",
    ),
    "ComplaintExportForm": (
        "GET",
        "complaints:export",
        lambda s: [],
        ("store_manager", "complaint_handler"),
        "",
    ),
    "TierForm": ("POST", "concierge:setup_tier_add", lambda s: [], "store_manager", lambda s: "new"),
    "RecordQueryForm": ("GET", "complaints:record", lambda s: [], "front_desk", ""),
    "ComplaintRecordForm": (
        "POST",
        "complaints:record",
        lambda s: [],
        ("vip_manager", "complaint_handler"),
        "",
    ),
    "ComplaintQueueForm": (
        "GET",
        "complaints:queue",
        lambda s: [],
        ("complaint_handler", "store_manager"),
        "",
    ),
    "FirstContactForm": ("POST", "complaints:contact", lambda s: [s.complaint.pk], "complaint_handler", ""),
    "WaitOnCustomerForm": ("POST", "complaints:wait", lambda s: [s.complaint.pk], "complaint_handler", ""),
    "CustomerAnsweredForm": (
        "POST",
        "complaints:answered",
        lambda s: [s.complaint.pk],
        "complaint_handler",
        "",
    ),
    "ResolveComplaintForm": (
        "POST",
        "complaints:resolve",
        lambda s: [s.complaint.pk],
        "complaint_handler",
        "",
    ),
    "ApproveCompensationForm": (
        "POST",
        "complaints:approve",
        lambda s: [s.complaint.pk],
        "store_manager",
        "",
    ),
    "DeclineCompensationForm": (
        "POST",
        "complaints:decline",
        lambda s: [s.complaint.pk],
        "store_manager",
        "",
    ),
    "FeedbackCallForm": ("POST", "complaints:feedback", lambda s: [s.complaint.pk], "complaint_handler", ""),
    "CloseWithoutFeedbackForm": (
        "POST",
        "complaints:close",
        lambda s: [s.complaint.pk],
        "complaint_handler",
        "",
    ),
    "ReopenComplaintForm": ("POST", "complaints:reopen", lambda s: [s.complaint.pk], "complaint_handler", ""),
    "CancelComplaintForm": (
        "POST",
        "complaints:cancel",
        lambda s: [s.complaint.pk],
        ("complaint_handler", "store_manager"),
        "",
    ),
    "RerouteComplaintForm": (
        "POST",
        "complaints:reroute",
        lambda s: [s.complaint.pk],
        "complaint_handler",
        "",
    ),
    "ReassignComplaintForm": ("POST", "complaints:reassign", lambda s: [s.complaint.pk], "store_manager", ""),
    "RemoveTierForm": (
        "POST",
        "concierge:setup_tier_remove",
        lambda s: [s.member.tier_id],
        "store_manager",
        lambda s: f"remove-{s.member.tier_id}",
    ),
    "OpeningWeekForm": ("POST", "concierge:setup_hours", lambda s: [], "store_manager", ""),
    "SpecialDayForm": (
        "POST",
        "concierge:setup_special_day_add",
        lambda s: [],
        "store_manager",
        lambda s: "new-date",
    ),
    "AbsenceForm": ("POST", "concierge:setup_days_off", lambda s: [], ("store_manager", "admin"), ""),
    "CategoryForm": ("POST", "complaints:setup", lambda s: [], "store_manager", lambda s: "new"),
    "CategoryMoveForm": (
        "POST",
        "complaints:setup_category_move",
        lambda s: [first_pk(Category, s)],
        "store_manager",
        "",
    ),
    "CategoryActiveForm": (
        "POST",
        "complaints:setup_category_active",
        lambda s: [first_pk(Category, s)],
        "store_manager",
        "",
    ),
    "TeamForm": ("POST", "complaints:setup_teams", lambda s: [], "store_manager", lambda s: "new"),
    "RuleForm": ("POST", "complaints:setup_rules", lambda s: [], "store_manager", lambda s: "new"),
    "RouteTestForm": ("GET", "complaints:setup_rules", lambda s: [], "store_manager", ""),
    "SlaForm": ("POST", "complaints:setup_sla", lambda s: [], "store_manager", ""),
    "ComplaintNumbersForm": (
        "POST",
        "complaints:setup_numbers",
        lambda s: [],
        "store_manager",
        lambda s: "numbers",
    ),
    "BudgetsForm": ("POST", "complaints:setup_compensation", lambda s: [], "store_manager", ""),
    "RoomForm": ("POST", "concierge:setup_rooms", lambda s: [], ("store_manager", "admin"), lambda s: "new"),
    "RoomBookableForm": ("POST", "concierge:setup_room_bookable", lambda s: [s.room.pk], "store_manager", ""),
    "RoomMoveForm": ("POST", "concierge:setup_room_move", lambda s: [s.room.pk], "store_manager", ""),
    "DepartmentContactsForm": ("POST", "concierge:setup_departments", lambda s: [], "store_manager", ""),
    "StaffHoursForm": (
        "POST",
        "concierge:setup_staff_hours_detail",
        lambda s: [s.staff["vip_manager"].pk],
        "store_manager",
        "",
    ),
    "StaffBlockForm": (
        "POST",
        "concierge:setup_staff_block_add",
        lambda s: [s.staff["vip_manager"].pk],
        "store_manager",
        "",
    ),
    "ReceptionRulesForm": ("POST", "concierge:setup_reception", lambda s: [], ("store_manager", "admin"), ""),
    "ReceptionPeriodForm": (
        "GET",
        "concierge:reception_stats",
        lambda s: [],
        ("store_manager", "other_manager"),
        "",
    ),
    "ReceptionExportForm": ("GET", "concierge:reception_export", lambda s: [], "store_manager", ""),
    "BookQueryForm": ("GET", "concierge:book", lambda s: [], "front_desk", ""),
    "BookVisitForm": ("POST", "concierge:book", lambda s: [], ("front_desk", "vip_manager"), ""),
    "VisitFieldsForm": ("POST", "concierge:book", lambda s: [], "store_manager", ""),
    "EditVisitForm": (
        "POST",
        "concierge:visit_edit",
        lambda s: [s.appointment.pk],
        ("front_desk", "vip_manager"),
        "",
    ),
    "SlotCheckForm": ("GET", "concierge:book_check", lambda s: [], "front_desk", ""),
    "CancelVisitForm": ("POST", "concierge:visit_cancel", lambda s: [s.appointment.pk], "front_desk", ""),
    "VisitListForm": ("GET", "concierge:visit_list", lambda s: [], ("vip_manager", "front_desk"), ""),
    "VisitTickForm": ("POST", "concierge:visit_tick", lambda s: [s.appointment.pk], "front_desk", ""),
    "VisitItemForm": ("POST", "concierge:visit_item", lambda s: [s.appointment.pk], "front_desk", ""),
    "VisitServiceForm": ("POST", "concierge:visit_service", lambda s: [s.appointment.pk], "vip_manager", ""),
    "VisitFarewellForm": (
        "POST",
        "concierge:visit_farewell",
        lambda s: [s.appointment.pk],
        "vip_manager",
        "",
    ),
    "VisitFollowUpForm": (
        "POST",
        "concierge:visit_follow_up",
        lambda s: [s.appointment.pk],
        "store_manager",
        "",
    ),
    "VisitUndoNoShowForm": (
        "POST",
        "concierge:visit_undo_no_show",
        lambda s: [s.appointment.pk],
        ("front_desk", "other_manager"),
        "",
    ),
}


def test_every_form_is_fuzzed():
    missing = sorted(cls.__name__ for cls in project_forms() if cls.__name__ not in FORM_PAGES)
    assert not missing, f"forms with no page to fuzz them through: add them to FORM_PAGES: {missing}"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    yield from world_for_the_module(django_db_blocker)


def _no_error(response):
    assert response.status_code < 500, response.status_code


def _form_personas():
    for name, (_method, _url, _args, personas, _prefix) in sorted(FORM_PAGES.items()):
        for persona in (personas,) if isinstance(personas, str) else personas:
            yield name, persona


@pytest.mark.parametrize(("form_name", "persona"), list(_form_personas()))
def test_fuzzed_form_never_gives_an_error_page(world, client, form_name, persona):
    from django.urls import reverse

    method, url_name, args, _personas, prefix = FORM_PAGES[form_name]
    form_class = next(cls for cls in project_forms() if cls.__name__ == form_name)
    prefix = prefix(world.a) if prefix else ""
    url = reverse(url_name, args=args(world.a))
    if persona != "anonymous":
        client.force_login(world.persona(persona))

    def post(data, htmx, upload):
        headers = HTMX if htmx else {}
        if form_name == "ImportForm":
            data = {**data, "file": SimpleUploadedFile("fuzz.csv", upload, "text/csv")}
        with transaction.atomic():
            if method == "GET":
                response = client.get(url, data, **headers)
            else:
                response = client.post(url, data, **headers)
            transaction.set_rollback(True)
        _no_error(response)

    names = _fields(form_class, prefix)
    # The inputs that once gave error pages are always tried, whatever the random draw.
    for data in nasty_examples(world, names):
        post = example(data=data, htmx=False, upload=b"a\x00b")(post)
    post = given(data=form_data(world, names), htmx=st.booleans(), upload=st.binary(max_size=200))(post)
    settings(settings.get_profile(PROFILE))(post)()


def nasty_examples(world, names):
    """Every field at once a NUL byte, an id past 64 bits (alone and beside a real one), a date
    past 9999, a negative number, text over any limit."""
    real = str(world.a.staff["vip2"].pk)
    return [
        dict.fromkeys(names, "a\x00b"),
        {name: [real, str(2**63)] for name in names},
        {name: str(2**63) for name in names},
        dict.fromkeys(names, "9999-12-31"),
        dict.fromkeys(names, "-1"),
        dict.fromkeys(names, "x" * 2100),
    ]


# ---- every page, with fuzzed query strings, as every role ------------------------------------------

# What each page reads from its query string: always tried with the values that once gave error
# pages, besides the random draws (which also use these names, and any other).
QUERY_KEYS_OF = {
    "concierge:member_search": ["q"],
    "concierge:member_detail": ["purchases_from", "contacts_from"],
    "concierge:client_book": ["show", "page"],
    "tasks:my_day": ["offset"],
    "tasks:staff_tasks": ["offset"],
    "tasks:team": ["move"],
    "tasks:revival_dashboard": ["campaign"],
    "tasks:task_detail": ["from", "page"],
    "tasks:revival_my_cases": ["state", "campaign", "staff", "offset"],
    "tasks:revival_case": ["reason"],
    "tasks:revival_review": ["campaign"],
    "complaints:setup_rules": ["category", "counter"],
    "complaints:queue": ["tab", "offset"],
    "complaints:record": ["member", "q"],
    "concierge:reception_stats": ["period", "start", "end"],
    "concierge:reception_export": ["start", "end"],
    "tasks:revival_ledger": ["campaign", "staff", "state", "kind"],
    "tasks:revival_statement": ["staff", "month"],
    "tasks:revival_statement_csv": ["staff", "month"],
}
QUERY_KEYS = sorted({key for keys in QUERY_KEYS_OF.values() for key in keys} | {"next"})


def _pages(world):
    return [
        (route.name, route.path(filler(world.a)))
        for route in routes()
        if not route.is_admin and route.name not in ("logout", "set_language")
    ]


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
def test_fuzzed_query_strings_never_give_an_error_page(world, client, persona):
    client.force_login(world.persona(persona))
    keys = st.one_of(st.sampled_from(QUERY_KEYS), st.text(min_size=1, max_size=8))
    queries = st.dictionaries(keys, values(world), max_size=4)

    def getter():
        # A new function for each page: explicit examples are kept on the function itself.
        def get(page, query, htmx):
            with transaction.atomic():
                response = client.get(page, query, **(HTMX if htmx else {}))
                transaction.set_rollback(True)
            _no_error(response)

        return get

    random_draws = Phase.generate in settings.get_profile(PROFILE).phases
    for name, page in _pages(world):
        if not random_draws and name not in QUERY_KEYS_OF:
            continue  # nothing to send it: without examples Hypothesis would skip the whole test
        run = getter()
        for key in QUERY_KEYS_OF.get(name, []):
            for value in ("a\x00b", str(2**63)):
                run = example(query={key: value}, htmx=True)(run)
        run = given(query=queries, htmx=st.booleans())(run)
        settings(settings.get_profile(PROFILE), max_examples=max(1, EXAMPLES // 4))(run)(page)
