"""The store manager's care setup: message templates, etiquette word lists and the holiday calendar;
and the live etiquette check of a draft in a task panel.

Every page works as plain forms (POST, redirect, a message) and, with htmx, saves in place: the
server answers with the changed part and a notice. Form errors come back with status 200 so that
htmx swaps them in. Rows are the user's store's only; another store's holiday is a 404.
"""

from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from concierge.decorators import store_required
from concierge.errors import ActionRefused
from concierge.views.responses import render_page, respond, wants_partial
from tasks import etiquette, messages, setup_actions
from tasks.forms import DraftCheckForm
from tasks.forms_setup import GreetingsForm, HolidayForm, MessageTemplateForm, WordListForm
from tasks.models import CareTask, EtiquetteWords, Holiday, MessageTemplate
from tasks.models.messages import Purpose

LANGUAGE_NAMES = dict(settings.LANGUAGES)
Category = EtiquetteWords.Category


def _language(code):
    if code not in LANGUAGE_NAMES:
        raise Http404
    return code


def _purpose(value):
    if value not in Purpose.values:
        raise Http404
    return Purpose(value)


def _category(value):
    if value not in Category.values:
        raise Http404
    return Category(value)


# ---- the draft box's live check --------------------------------------------------------------------


@require_POST
@permission_required("tasks.change_caretask", raise_exception=True)
def check_draft(request):
    """The warnings for the text in a task's draft box, re-checked as the user edits it."""
    user = request.user
    form = DraftCheckForm(request.POST)
    if not form.is_valid():
        # Only the draft box posts here, with its task and at most 2,000 characters.
        raise Http404
    task = CareTask.objects.select_related("store").get_for(user, pk=form.cleaned_data["task"])
    # As in the task panel: a VIP manager works their own tasks, the store manager anyone's.
    if task.assignee_id != user.pk and not user.has_perm("tasks.manage_team_tasks"):
        raise Http404
    purpose = messages.PURPOSE_OF_KIND.get(task.kind)
    if purpose is None:
        raise Http404
    text = form.cleaned_data["message"]
    warnings = etiquette.check_message(
        text,
        purpose,
        store=task.store,
        language=messages.normalise_language(getattr(request, "LANGUAGE_CODE", None)),
        staff_name=str(user),
        store_name=task.store.name,
    )
    return render(
        request,
        "tasks/includes/draft.html#warnings",
        {"task": task, "draft": text, "purpose": purpose, "warnings": warnings},
    )


# ---- message templates -------------------------------------------------------------------------------


def segments(body):
    """The template as (is_placeholder, text) pieces, so the page can show what gets filled in."""
    pieces, start = [], 0
    for match in messages.ANY_PLACEHOLDER.finditer(body):
        if match.group(1) in messages.PLACEHOLDERS:
            pieces.append((False, body[start : match.start()]))
            pieces.append((True, match.group(0)))
            start = match.end()
    pieces.append((False, body[start:]))
    return [piece for piece in pieces if piece[1]]


def _template_version(store, purpose, language, row, lists):
    body = row.body if row else messages.built_in_template(purpose, language)
    return {
        "purpose": purpose,
        "language": language,
        "language_name": LANGUAGE_NAMES[language],
        "body": body,
        "segments": segments(body),
        "row": row,
        # A word list changed after the template was saved may make it break a rule now.
        "warnings": etiquette.check_message(
            body,
            purpose,
            store=store,
            language=language,
            staff_name="{staff}",
            store_name="{store}",
            lists=lists,
        ),
    }


@require_GET
@permission_required("tasks.change_messagetemplate", raise_exception=True)
@store_required
def message_templates(request):
    user = request.user
    rows = {
        (row.purpose, row.language): row
        for row in MessageTemplate.objects.visible_to(user).select_related("updated_by")
    }
    lists = etiquette.word_lists(user.store)
    purposes = [
        {
            "purpose": purpose,
            "label": purpose.label,
            "versions": [
                _template_version(user.store, purpose, language, rows.get((purpose.value, language)), lists)
                for language in LANGUAGE_NAMES
            ],
        }
        for purpose in Purpose
    ]
    return render(
        request,
        "tasks/setup/messages.html",
        {"active_nav": "team", "setup_nav": "messages", "purposes": purposes},
    )


def _editor_context(request, purpose, language, form=None, notice=None):
    user = request.user
    row = (
        MessageTemplate.objects.visible_to(user)
        .select_related("updated_by")
        .filter(purpose=purpose, language=language)
        .first()
    )
    if form is None:
        body = row.body if row else messages.built_in_template(purpose, language)
        scope = {"store": user.store, "purpose": purpose, "language": language}
        form = MessageTemplateForm(initial={"body": body}, **scope)
        # A word list changed since the text was saved may make it break a rule: say so at once.
        check = MessageTemplateForm({"body": body}, **scope)
        problems = [] if check.is_valid() else check.errors.get("body", [])
    else:
        problems = form.errors.get("body", [])
    return {
        "active_nav": "team",
        "setup_nav": "messages",
        "purpose": purpose,
        "language": language,
        "language_name": LANGUAGE_NAMES[language],
        "row": row,
        "form": form,
        "problems": problems,
        "preview": _preview(request, purpose, language, form),
        "notice": notice,
    }


def _preview(request, purpose, language, form):
    """The text as a member would read it: what the user typed, whether it can be saved or not."""
    return messages.sample_message(
        form["body"].value() or "",
        purpose=purpose,
        language=language,
        store=request.user.store,
        staff=request.user,
    )


@require_http_methods(["GET", "POST"])
@permission_required("tasks.change_messagetemplate", raise_exception=True)
@store_required
def edit_template(request, purpose, language):
    user = request.user
    purpose, language = _purpose(purpose), _language(language)
    if request.method == "GET":
        context = _editor_context(request, purpose, language)
        return render_page(request, "tasks/setup/edit_template.html", context, partial="editor")
    form = MessageTemplateForm(request.POST, store=user.store, purpose=purpose, language=language)
    if not form.is_valid():
        return _editor_response(request, purpose, language, form=form)
    try:
        setup_actions.save_message_template(
            user.store, actor=user, purpose=purpose, language=language, body=form.cleaned_data["body"]
        )
    except ActionRefused as refused:
        return _editor_response(request, purpose, language, refused=refused.message, form=form)
    done = _("The %(purpose)s (%(language)s) is saved.") % {
        "purpose": purpose.label,
        "language": LANGUAGE_NAMES[language],
    }
    return _editor_response(request, purpose, language, done=done)


def _editor_response(request, purpose, language, *, done=None, refused=None, form=None):
    """htmx gets the editor again with a notice; a plain post goes back to the list of messages,
    or sees the editor with its errors."""

    def draw(notice):
        context = _editor_context(request, purpose, language, form=form, notice=notice)
        return render_page(request, "tasks/setup/edit_template.html", context, partial="editor")

    return respond(
        request,
        render=draw,
        fallback="tasks:message_templates",
        done=done,
        refused=refused,
        form_sent_back=form is not None,
    )


@require_POST
@permission_required("tasks.change_messagetemplate", raise_exception=True)
@store_required
def preview_template(request, purpose, language):
    """The live preview while a template is edited: the sample text and what would be refused."""
    user = request.user
    purpose, language = _purpose(purpose), _language(language)
    form = MessageTemplateForm(request.POST, store=user.store, purpose=purpose, language=language)
    problems = [] if form.is_valid() else form.errors.get("body", [])
    context = {
        "language": language,
        "preview": _preview(request, purpose, language, form),
        "problems": problems,
    }
    return render(request, "tasks/setup/edit_template.html#live", context)


@require_POST
@permission_required("tasks.delete_messagetemplate", raise_exception=True)
@store_required
def reset_template(request, purpose, language):
    user = request.user
    purpose, language = _purpose(purpose), _language(language)
    try:
        setup_actions.reset_message_template(user.store, actor=user, purpose=purpose, language=language)
    except ActionRefused as refused:
        return _editor_response(request, purpose, language, refused=refused.message)
    done = _("The %(purpose)s (%(language)s) is back to the built-in message.") % {
        "purpose": purpose.label,
        "language": LANGUAGE_NAMES[language],
    }
    return _editor_response(request, purpose, language, done=done)


# ---- etiquette word lists ----------------------------------------------------------------------------


def _word_list(category, language, row, form=None, notice=None):
    words = row.word_list if row else etiquette.built_in_words(category, language)
    return {
        "category": category,
        "language": language,
        "language_name": LANGUAGE_NAMES[language],
        "row": row,
        "count": len(words),
        "form": form or WordListForm(initial={"words": "\n".join(words)}, prefix=f"{category}-{language}"),
        "notice": notice,
    }


def _word_lists_context(user, failed=None):
    """Every rule with a list per language; `failed` is the (category, language, form) refused."""
    rows = {
        (row.category, row.language): row
        for row in EtiquetteWords.objects.visible_to(user).select_related("updated_by")
    }
    categories = []
    for category in Category:
        lists = []
        for language in LANGUAGE_NAMES:
            form = failed[2] if failed and failed[:2] == (category, language) else None
            lists.append(_word_list(category, language, rows.get((category.value, language)), form))
        categories.append({"category": category, "label": category.label, "lists": lists})
    return {"active_nav": "team", "setup_nav": "words", "categories": categories}


@require_GET
@permission_required("tasks.change_etiquettewords", raise_exception=True)
@store_required
def word_lists(request):
    return render(request, "tasks/setup/words.html", _word_lists_context(request.user))


def _one_list(user, category, language):
    return (
        EtiquetteWords.objects.visible_to(user)
        .select_related("updated_by")
        .filter(category=category, language=language)
        .first()
    )


def _words_response(request, category, language, *, done=None, refused=None, form=None):
    """htmx gets the one list again with a notice; a plain post goes back to the lists, or sees
    them all with this one's errors."""

    def draw(notice):
        if wants_partial(request):
            row = _one_list(request.user, category, language)
            item = _word_list(category, language, row, form, notice=notice)
            return render(request, "tasks/setup/words.html#word_list", {"item": item})
        context = _word_lists_context(request.user, failed=(category, language, form))
        return render(request, "tasks/setup/words.html", context)

    return respond(
        request,
        render=draw,
        fallback="tasks:word_lists",
        done=done,
        refused=refused,
        form_sent_back=form is not None,
    )


@require_POST
@permission_required("tasks.change_etiquettewords", raise_exception=True)
@store_required
def edit_words(request, category, language):
    user = request.user
    category, language = _category(category), _language(language)
    form = WordListForm(request.POST, prefix=f"{category}-{language}")
    if not form.is_valid():
        return _words_response(request, category, language, form=form)
    try:
        setup_actions.save_word_list(
            user.store, actor=user, category=category, language=language, words=form.cleaned_data["words"]
        )
    except ActionRefused as refused:
        return _words_response(request, category, language, refused=refused.message, form=form)
    return _words_response(request, category, language, done=_("The word list is saved."))


@require_POST
@permission_required("tasks.delete_etiquettewords", raise_exception=True)
@store_required
def reset_words(request, category, language):
    user = request.user
    category, language = _category(category), _language(language)
    try:
        setup_actions.reset_word_list(user.store, actor=user, category=category, language=language)
    except ActionRefused as refused:
        return _words_response(request, category, language, refused=refused.message)
    return _words_response(request, category, language, done=_("The word list is back to the built-in one."))


# ---- holiday calendar --------------------------------------------------------------------------------


def _holiday_form(user, holiday=None, data=None):
    # Every row has its own form on the page: ids must not repeat.
    prefix = f"holiday-{holiday.pk}" if holiday else "new-holiday"
    return HolidayForm(data, instance=holiday, store=user.store, auto_id=f"{prefix}-%s")


def _holidays_context(request, *, add_form=None, failed_pk=None, failed_form=None, notice=None):
    user = request.user
    today = timezone.localdate()
    years = [today.year, today.year + 1]
    # tick fills in each year's festivals; a page never writes. A year without them (a store set up
    # today, before its first tick) offers a button to fill them in now.
    holidays = list(
        Holiday.objects.visible_to(user).filter(date__year__in=years).select_related("updated_by")
    )
    for holiday in holidays:
        failed = holiday.pk == failed_pk
        holiday.form = failed_form if failed else _holiday_form(user, holiday)
        holiday.form_open = failed
        holiday.passed = holiday.date < today
    return {
        "active_nav": "team",
        "setup_nav": "holidays",
        "today": today,
        "years": [(year, [h for h in holidays if h.date.year == year]) for year in years],
        "years_without_festivals": [
            year for year in years if not any(h.is_festival and h.date.year == year for h in holidays)
        ],
        "add_form": add_form or _holiday_form(user),
        "notice": notice,
    }


def _calendar_response(request, done=None, refused=None, **context_args):
    """htmx gets the calendar again with a notice; a plain post is redirected, or sees its errors."""

    def draw(notice):
        context = _holidays_context(request, notice=notice, **context_args)
        return render_page(request, "tasks/setup/holidays.html", context, partial="calendar")

    return respond(
        request,
        render=draw,
        fallback="tasks:holidays",
        done=done,
        refused=refused,
        form_sent_back=bool(context_args),
    )


@require_http_methods(["GET", "POST"])
@permission_required("tasks.change_holiday", raise_exception=True)
@store_required
def holidays(request):
    """The calendar (GET) and adding one of the store's own dates (POST)."""
    user = request.user
    if request.method == "POST" and not user.has_perm("tasks.add_holiday"):
        raise PermissionDenied
    if request.method == "GET":
        return render(request, "tasks/setup/holidays.html", _holidays_context(request))
    form = _holiday_form(user, data=request.POST)
    if not form.is_valid():
        return _calendar_response(request, add_form=form)
    try:
        holiday = setup_actions.add_holiday(user.store, actor=user, **form.cleaned_data)
    except ActionRefused as refused:
        return _calendar_response(request, refused=refused.message)
    return _calendar_response(request, done=_("%(holiday)s is on the calendar.") % {"holiday": holiday.name})


def _holiday_for(user, pk):
    return Holiday.objects.get_for(user, pk=pk)


@require_POST
@permission_required("tasks.change_holiday", raise_exception=True)
@store_required
def edit_holiday(request, pk):
    """Rename, move, or switch greetings for one date."""
    user = request.user
    holiday = _holiday_for(user, pk)
    form = _holiday_form(user, holiday, data=request.POST)
    if not form.is_valid():
        return _calendar_response(request, failed_pk=pk, failed_form=form)
    try:
        holiday = setup_actions.change_holiday(holiday, actor=user, **form.cleaned_data)
    except ActionRefused as refused:
        return _calendar_response(request, refused=refused.message)
    return _calendar_response(request, done=_("%(holiday)s is saved.") % {"holiday": holiday.name})


@require_POST
@permission_required("tasks.change_holiday", raise_exception=True)
@store_required
def holiday_greetings(request, pk):
    """Greetings on or off for one date, in one tap."""
    user = request.user
    holiday = _holiday_for(user, pk)
    greet = GreetingsForm(request.POST).switched_on()
    try:
        holiday = setup_actions.change_holiday(holiday, actor=user, greet=greet)
    except ActionRefused as refused:
        return _calendar_response(request, refused=refused.message)
    if holiday.greet:
        done = _("Greetings on for %(holiday)s.") % {"holiday": holiday.name}
    else:
        done = _("Greetings off for %(holiday)s.") % {"holiday": holiday.name}
    return _calendar_response(request, done=done)


@require_POST
@permission_required("tasks.add_holiday", raise_exception=True)
@store_required
def fill_festivals(request):
    """Fill in this year's and next year's festivals now, for a store that has not had its first tick."""
    user = request.user
    today = timezone.localdate()
    try:
        added = setup_actions.fill_festivals(user.store, actor=user, years=[today.year, today.year + 1])
    except ActionRefused as refused:
        return _calendar_response(request, refused=refused.message)
    done = ngettext("%(count)d festival filled in.", "%(count)d festivals filled in.", added) % {
        "count": added
    }
    return _calendar_response(request, done=done)


@require_POST
@permission_required("tasks.delete_holiday", raise_exception=True)
@store_required
def delete_holiday(request, pk):
    """Only the store's own dates: a festival would be filled in again, so it is switched off instead."""
    user = request.user
    holiday = _holiday_for(user, pk)
    try:
        setup_actions.delete_holiday(holiday, actor=user)
    except ActionRefused as refused:
        return _calendar_response(request, refused=refused.message)
    return _calendar_response(request, done=_("%(holiday)s is off the calendar.") % {"holiday": holiday.name})


urlpatterns = [
    path("draft/check/", check_draft, name="check_draft"),
    path("setup/messages/", message_templates, name="message_templates"),
    path("setup/messages/<str:purpose>/<str:language>/", edit_template, name="edit_template"),
    path("setup/messages/<str:purpose>/<str:language>/preview/", preview_template, name="preview_template"),
    path("setup/messages/<str:purpose>/<str:language>/reset/", reset_template, name="reset_template"),
    path("setup/words/", word_lists, name="word_lists"),
    path("setup/words/<str:category>/<str:language>/", edit_words, name="edit_words"),
    path("setup/words/<str:category>/<str:language>/reset/", reset_words, name="reset_words"),
    path("setup/holidays/", holidays, name="holidays"),
    path("setup/holidays/<int:pk>/", edit_holiday, name="edit_holiday"),
    path("setup/holidays/<int:pk>/greet/", holiday_greetings, name="holiday_greetings"),
    path("setup/holidays/<int:pk>/delete/", delete_holiday, name="delete_holiday"),
    path("setup/holidays/festivals/", fill_festivals, name="fill_festivals"),
]
