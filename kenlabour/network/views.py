"""Thin views of the network: parse input with a form, call one selector or service, render."""

import dataclasses

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from kenlabour.accounts.perms import can, strictly
from kenlabour.network import columns, engagement, exports, forms, importing, spreadsheet
from kenlabour.network.enums import ActorKind, ImportState, IntroductionStatus
from kenlabour.network.models import Actor, Introduction
from kenlabour.network.selectors import actor_page as actor_page_selectors
from kenlabour.network.selectors import actors as actor_selectors
from kenlabour.network.selectors import directory as directory_selectors
from kenlabour.network.selectors import engagement as engagement_selectors
from kenlabour.network.selectors import exports as export_selectors
from kenlabour.network.selectors import imports as import_selectors
from kenlabour.network.selectors import introductions as introduction_selectors
from kenlabour.network.selectors import map as map_selectors
from kenlabour.network.selectors import who_could_help as help_selectors
from kenlabour.network.services import contributions as contribution_services
from kenlabour.network.services import exports as export_services
from kenlabour.network.services import imports as import_services
from kenlabour.network.services import introductions as introduction_services
from kenlabour.web.limits import upload_limit

# --- directory, actor pages, map, exports (directory helper) ---------------------------


def _search(request) -> dict:
    """Parse the filters, run the one search, cut the page: what the directory and the
    map pages show. `filters_query` is the query string without the page number."""
    form = forms.ActorSearchForm(request.GET)
    filters_query = request.GET.copy()
    filters_query.pop("page", None)
    context = {"form": form, "page_obj": None, "around": False}
    context["filters_query"] = filters_query.urlencode()
    if form.is_valid():
        results = directory_selectors.search_actors(request.user, form.filters())
        paginator = Paginator(results, directory_selectors.DIRECTORY_PAGE_SIZE)
        page_obj = paginator.get_page(request.GET.get("page"))
        context.update(
            page_obj=page_obj,
            page_range=paginator.get_elided_page_range(page_obj.number, on_each_side=2),
            around=results.around,
            centre=form.cleaned_data["commune"],
            radius=form.cleaned_data["rayon"],
        )
    return context


@require_GET
def directory(request):
    """The directory: search and filter the actors of the network (works without JS)."""
    return render(request, "network/directory.html", _search(request))


@require_GET
def map_view(request):
    """The same search as a list, enhanced by a map when JavaScript runs."""
    context = _search(request)
    context["map_tile_url"] = settings.MAP_TILE_URL
    context["map_tile_attribution"] = settings.MAP_TILE_ATTRIBUTION
    return render(request, "network/map.html", context)


def _actor_url_pattern(request=None) -> str:
    url = reverse("network:actor", kwargs={"slug": "__slug__"})
    return request.build_absolute_uri(url) if request is not None else url


@require_GET
def map_data(request):
    """GeoJSON of the search, for the map: only the fields a marker needs."""
    form = forms.ActorSearchForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    results = directory_selectors.search_actors(request.user, form.filters())
    return JsonResponse(
        map_selectors.map_features(results, _actor_url_pattern()),
        content_type=exports.GEOJSON_CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False, "separators": (",", ":")},
    )


def _export(request, extension: str):
    """The filtered directory as a file: the search's rows, written by a pure writer."""
    form = forms.ActorSearchForm(request.GET)
    if not form.is_valid():
        # The directory shows what is wrong with the filters, field by field.
        return redirect(f"{reverse('network:directory')}?{request.GET.urlencode()}")
    results = directory_selectors.search_actors(request.user, form.filters())
    export_services.record_directory_export(request.user, extension, request.GET.urlencode())
    pattern = _actor_url_pattern(request)
    rows = export_selectors.export_rows(results, lambda slug: pattern.replace("__slug__", slug))
    header = columns.EXPORT_COLUMNS
    filename = f"reseau-acteurs-{timezone.localdate().isoformat()}.{extension}"
    if extension == "csv":
        response = StreamingHttpResponse(
            exports.csv_chunks(header, rows), content_type=exports.CSV_CONTENT_TYPE
        )
    elif extension == "xlsx":
        response = HttpResponse(
            exports.xlsx_bytes(header, rows, sheet_title=_("Acteurs")),
            content_type=exports.XLSX_CONTENT_TYPE,
        )
    else:
        response = StreamingHttpResponse(
            exports.geojson_chunks(
                header, rows, latitude=columns.LATITUDE, longitude=columns.LONGITUDE
            ),
            content_type=exports.GEOJSON_CONTENT_TYPE,
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def export_csv(request):
    return _export(request, "csv")


@require_GET
def export_xlsx(request):
    return _export(request, "xlsx")


@require_GET
def export_geojson(request):
    return _export(request, "geojson")


@require_GET
def actor(request, slug):
    """An actor's page: who they are, what they have, whom they know."""
    try:
        page = actor_page_selectors.actor_page(request.user, slug)
    except Actor.DoesNotExist:
        raise Http404 from None
    may_ask = strictly(request.user, "network.request_introduction", page.actor)
    answered = may_ask and introduction_selectors.has_responders(page.actor)
    return render(
        request,
        "network/actor.html",
        {"page": page, "actor": page.actor, "may_ask": may_ask, "answered": answered},
    )


# --- who could help, territorial engagement (graph helper) -----------------------------


@require_GET
def who_could_help(request):
    """« J'ai besoin de … près de … » : who has it, nearest in acquaintances first."""
    data = request.GET if forms.WhoCouldHelpForm.submitted(request.GET) else None
    form = forms.WhoCouldHelpForm(data, user=request.user)
    result = None
    if form.is_bound and form.is_valid():
        result = help_selectors.who_could_help(request.user, **form.query())
    return render(request, "network/who_could_help.html", {"form": form, "result": result})


@require_GET
def territorial_engagement(request):
    """Engagement of the territories: actors per 10,000 inhabitants, links, isolation."""
    form = forms.EngagementForm(request.GET)
    departement, sort = form.choice()
    report = engagement_selectors.territorial_engagement(departement, sort)
    return render(
        request,
        "network/engagement.html",
        {"form": form, "report": report, "sort_links": engagement.sort_links(sort)},
    )


# --- registration, moderation, edition, import (contributions helper) -----------------

IMPORT_RESULT_SESSION_KEY = "network_import_result"
# At most this many errors of an import are listed (the count of all is given).
MAX_LISTED_IMPORT_ERRORS = 500


def _require(user, action: str, obj=None) -> None:
    if not can(user, action, obj):
        raise PermissionDenied


@login_required
def register(request):
    _require(request.user, "network.register_actor")
    data = request.POST if request.method == "POST" else None
    form = forms.ActorForm(data)
    resources = forms.resource_formset(data)
    if data is not None and all([form.is_valid(), resources.is_valid()]):
        actor = contribution_services.register_actor(
            request.user,
            fields=form.actor_fields(),
            area=form.area_of_action(),
            resources=resources.resources(),
        )
        messages.success(
            request,
            _(
                "« %(name)s » est inscrit. Un animateur du laboratoire va vérifier la page "
                "avant de la publier ; en attendant, vous seul la voyez."
            )
            % {"name": actor.name},
        )
        return redirect(actor)
    return render(
        request, "network/actor_form.html", {"form": form, "resources": resources, "actor": None}
    )


@login_required
def edit(request, slug):
    try:
        actor = actor_selectors.actor_for_edit(slug)
    except Actor.DoesNotExist:
        raise Http404 from None
    _require(request.user, "network.edit_actor", actor)
    data = request.POST if request.method == "POST" else None
    form = forms.ActorForm(data, actor=actor)
    resources = forms.resource_formset(data, actor=actor)
    if data is not None and all([form.is_valid(), resources.is_valid()]):
        actor = contribution_services.update_actor(
            request.user,
            actor,
            fields=form.actor_fields(),
            area=form.area_of_action(),
            resources=resources.resources(),
        )
        messages.success(
            request, _("La page de « %(name)s » est enregistrée.") % {"name": actor.name}
        )
        if actor.proposed_name:
            messages.info(
                request,
                _(
                    "Le nouveau nom « %(name)s » sera affiché une fois accepté par l'équipe "
                    "du laboratoire : un nom dit qui est un acteur, il est vérifié."
                )
                % {"name": actor.proposed_name},
            )
        return redirect(actor)
    return render(
        request, "network/actor_form.html", {"form": form, "resources": resources, "actor": actor}
    )


@login_required
def moderation(request):
    _require(request.user, "network.moderate")
    failed = None
    if request.method == "POST":
        form = forms.ModerationForm(request.POST)
        if form.is_valid():
            actor = form.cleaned_data["actor"]
            if not can(request.user, "network.moderate_actor", actor):
                raise PermissionDenied
            if form.cleaned_data["decision"] == forms.ModerationDecision.PUBLISH:
                contribution_services.publish_actor(request.user, actor)
                message = _("« %(name)s » est publié.")
            else:
                contribution_services.reject_actor(request.user, actor, form.cleaned_data["reason"])
                message = _("« %(name)s » est refusé ; le motif est affiché sur sa page.")
            messages.success(request, message % {"name": actor.name})
            return redirect("network:moderation")
        failed = form
    return render(
        request,
        "network/moderation.html",
        {
            "pending": actor_selectors.moderated_by(request.user, actor_selectors.pending_actors()),
            "failed": failed,
            "failed_actor_id": _posted_int(request.POST.get("actor")) if failed else None,
        },
    )


def _posted_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@upload_limit(forms.MAX_IMPORT_BYTES)
@login_required
def import_actors(request):
    """Step 1: the file. Read, it is kept for the next steps (its columns)."""
    _require(request.user, "network.import_actors")
    form = forms.ImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        filename, data, sheet = form.cleaned_data["file"]
        import_services.start_import(request.user, filename, data, sheet)
        return redirect("network:import_columns")
    done = request.session.pop(IMPORT_RESULT_SESSION_KEY, None) if request.method == "GET" else None
    return render(
        request,
        "network/import.html",
        {
            "form": form,
            "pending": (pending := import_selectors.pending_import(request.user)),
            "steps": IMPORT_STEPS,
            "linked": pending is not None,
            "done": _import_summary(done) if done else None,
            "columns": forms.IMPORT_COLUMNS_HELP,
            "max_rows": forms.MAX_IMPORT_ROWS,
        },
    )


def _import_in_progress(request):
    """The import under way, or None when there is none (the caller sends the person
    back to the first step)."""
    _require(request.user, "network.import_actors")
    return import_selectors.import_in_progress(request.user, max_rows=forms.MAX_IMPORT_ROWS)


def _working(progress) -> bool:
    """The task has the file (a big import being checked): the steps are closed."""
    return progress.pending.state in ImportState.working()


def _no_import(request):
    messages.info(request, _("Aucun import n'est en cours : choisissez un fichier."))
    return redirect("network:import")


def _table(progress):
    """The file read with the columns chosen, or None when they lack a required one."""
    try:
        return progress.sheet.table(progress.pending.columns, columns.REQUIRED)
    except spreadsheet.SpreadsheetError:
        return None


def _step_context(progress, step: str) -> dict:
    return {
        "step": step,
        "steps": IMPORT_STEPS,
        "filename": progress.pending.filename,
        "sheet": forms.sheet_description(progress.sheet),
    }


IMPORT_STEPS = [
    ("file", "network:import", gettext_lazy("Fichier")),
    ("columns", "network:import_columns", gettext_lazy("Colonnes")),
    ("values", "network:import_values", gettext_lazy("Valeurs")),
    ("preview", "network:import_preview", gettext_lazy("Aperçu et import")),
]
# Under each header of the columns step, the first values of its column.
SAMPLE_VALUES = 3


@login_required
def import_columns(request):
    """Step 2: which column of the platform each header of the file holds."""
    progress = _import_in_progress(request)
    if progress is None:
        return _no_import(request)
    if _working(progress):
        return redirect("network:import_progress")
    headers = progress.sheet.headers
    form = forms.ImportColumnsForm(
        request.POST if request.method == "POST" else None,
        headers=headers,
        initial_columns=progress.pending.columns,
    )
    if request.method == "POST" and form.is_valid():
        import_services.choose_import_columns(
            request.user, progress.pending, headers, form.chosen_columns()
        )
        table = _table(progress)
        vocabulary = importing.Vocabulary(progress.pending.values)
        if table is not None and importing.unknown_values(table, vocabulary):
            return redirect("network:import_values")
        return redirect("network:import_preview")
    samples = [
        [
            record[position].strip()
            for _line, record in progress.sheet.records[:SAMPLE_VALUES]
            if position < len(record) and record[position].strip()
        ]
        for position in range(len(headers))
    ]
    return render(
        request,
        "network/import_columns.html",
        {
            **_step_context(progress, "columns"),
            "form": form,
            "rows": list(zip(form.bound_fields(), samples, strict=True)),
        },
    )


@login_required
def import_values(request):
    """Step 3: what the words the import does not know mean (kinds, resources)."""
    progress = _import_in_progress(request)
    if progress is None:
        return _no_import(request)
    if _working(progress):
        return redirect("network:import_progress")
    table = _table(progress)
    if table is None:
        return redirect("network:import_columns")
    unknown = importing.unknown_values(table, importing.Vocabulary(progress.pending.values))
    if not unknown:
        messages.info(request, _("Le fichier n'emploie que des mots connus : voici l'aperçu."))
        return redirect("network:import_preview")
    form = forms.ImportValuesForm(
        request.POST if request.method == "POST" else None,
        unknown=unknown,
        chosen=progress.pending.values,
    )
    if request.method == "POST" and form.is_valid():
        import_services.choose_import_values(
            request.user, progress.pending, progress.sheet.headers, form.chosen_values()
        )
        return redirect("network:import_preview")
    return render(
        request,
        "network/import_values.html",
        {
            **_step_context(progress, "values"),
            "form": form,
            "groups": [
                (column, forms.COLUMN_NAMES.get(column, column), fields)
                for column, fields in form.groups
            ],
        },
    )


@login_required
def import_preview(request):
    """Step 4: the first rows as they will be imported, the errors of the whole file if
    any, and the button that imports it (one transaction: all rows or none)."""
    progress = _import_in_progress(request)
    if progress is None:
        return _no_import(request)
    if _working(progress):
        return redirect("network:import_progress")
    table = _table(progress)
    if table is None:
        return redirect("network:import_columns")
    vocabulary = importing.Vocabulary(progress.pending.values)
    if len(table.rows) > import_services.BACKGROUND_ROWS:
        return _import_preview_in_background(request, progress, table, vocabulary)
    rejection = None
    if request.method == "POST":
        form = forms.ImportConfirmForm(request.POST)
        if form.is_valid():
            try:
                result = import_services.confirm_import(request.user, progress.pending, table)
            except import_services.ImportRejected as error:
                rejection = error
            else:
                request.session[IMPORT_RESULT_SESSION_KEY] = {
                    "created": result.created,
                    "ignored_columns": table.ignored_columns,
                }
                return redirect("network:import")
    valid, errors = importing.validate_table(table, vocabulary)
    if rejection is None and errors:
        rejection = import_services.ImportRejected(errors)
    return render(
        request,
        "network/import_preview.html",
        {
            **_step_context(progress, "preview"),
            "form": forms.ImportConfirmForm(),
            "preview": importing.preview_rows(table, valid, errors, import_selectors.PREVIEW_ROWS),
            "total": len(table.rows),
            "ignored_columns": table.ignored_columns,
            "rejection": rejection,
            "errors": rejection.errors[:MAX_LISTED_IMPORT_ERRORS] if rejection else [],
            "unlisted_errors": max(0, len(rejection.errors) - MAX_LISTED_IMPORT_ERRORS)
            if rejection
            else 0,
            "has_unknown_values": bool(importing.unknown_values(table, vocabulary)),
        },
    )


def _import_preview_in_background(request, progress, table, vocabulary):
    """A big file: its first rows previewed, and the button that hands the whole file to
    the task, which checks every row with a progress page, then imports it (or nothing)."""
    if request.method == "POST" and forms.ImportConfirmForm(request.POST).is_valid():
        import_services.queue_import(request.user, progress.pending, max_rows=forms.MAX_IMPORT_ROWS)
        return redirect("network:import_progress")
    first = dataclasses.replace(table, rows=table.rows[: import_selectors.PREVIEW_ROWS])
    valid, errors = importing.validate_table(first, vocabulary)
    return render(
        request,
        "network/import_preview.html",
        {
            **_step_context(progress, "preview"),
            "form": forms.ImportConfirmForm(),
            "preview": importing.preview_rows(first, valid, errors, import_selectors.PREVIEW_ROWS),
            "total": len(table.rows),
            "ignored_columns": table.ignored_columns,
            "rejection": None,
            "errors": [],
            "background": True,
            "has_unknown_values": bool(importing.unknown_values(table, vocabulary)),
        },
    )


@login_required
@require_GET
def import_progress(request):
    """How far the check of a big file has gone (a page that refreshes itself, with or
    without JavaScript), then what was imported, or the errors by line and column."""
    _require(request.user, "network.import_actors")
    pending = import_selectors.import_for_progress(request.user)
    if pending is None:
        return _no_import(request)
    outcome = pending.outcome or {}
    errors = outcome.get("errors", [])
    context = {
        "pending": pending,
        "steps": IMPORT_STEPS,
        "working": pending.state in ImportState.working(),
        "percent": round(100 * pending.checked_rows / pending.total_rows)
        if pending.total_rows
        else 0,
        "done": _import_summary(outcome) if pending.state == ImportState.DONE else None,
        "rejection": import_services.ImportRejected(
            [importing.CellError(**error) for error in errors], message=outcome.get("message", "")
        )
        if pending.state == ImportState.FAILED
        else None,
    }
    context["errors"] = context["rejection"].errors if context["rejection"] else []
    context["unlisted_errors"] = max(0, outcome.get("count", 0) - len(errors))
    return render(request, "network/import_progress.html", context)


@require_POST
@login_required
def import_cancel(request):
    """Abandon the import under way: its file is deleted."""
    _require(request.user, "network.import_actors")
    import_services.cancel_import(request.user)
    messages.success(request, _("L'import est abandonné ; son fichier est supprimé."))
    return redirect("network:import")


def _import_summary(done: dict) -> dict:
    created = done["created"]
    return {
        "rows": [(label, created.get(kind, 0)) for kind, label in ActorKind.choices],
        "total": sum(created.values()),
        "ignored_columns": done.get("ignored_columns", []),
    }


# --- introductions (mises en relation) -------------------------------------------------


def _site_url(request) -> str:
    return request.build_absolute_uri("/")


@login_required
def introduction_new(request, slug):
    """Ask to be put in touch with an actor, directly or through the person who knows both."""
    target = introduction_selectors.target_for(request.user, slug)
    if target is None:
        raise Http404
    context = {"target": target, "form": None, "refusal": None}
    if not strictly(request.user, "network.request_introduction", target):
        context["refusal"] = _("%(name)s ne reçoit pas de demande de mise en relation.") % {
            "name": target.name
        }
        return render(request, "network/introductions/new.html", context)
    if not introduction_selectors.has_responders(target):
        context["refusal"] = _(
            "Personne ne répond encore pour %(name)s sur la plateforme : l'équipe du "
            "laboratoire peut vous aider à le joindre."
        ) % {"name": target.name}
        return render(request, "network/introductions/new.html", context)
    if introduction_selectors.is_blocked(target, request.user):
        context["refusal"] = _("%(name)s ne reçoit plus vos demandes de mise en relation.") % {
            "name": target.name
        }
        return render(request, "network/introductions/new.html", context)
    waiting = introduction_selectors.open_request(request.user, target, timezone.now())
    if waiting is not None:
        context["refusal"] = _("Votre demande à %(name)s attend encore sa réponse.") % {
            "name": target.name
        }
        context["waiting"] = waiting
        return render(request, "network/introductions/new.html", context)
    requesters = introduction_selectors.requester_actors(request.user)
    context["requesters"] = requesters
    if not requesters:
        return render(request, "network/introductions/new.html", context)
    data = request.POST if request.method == "POST" else None
    chosen = requesters[0]
    if data is not None:
        chosen = next((a for a in requesters if str(a.pk) == data.get("requester_actor")), chosen)
    middle = introduction_selectors.intermediary(chosen, target)
    form = forms.IntroductionRequestForm(
        data, requesters=requesters, target=target, intermediary=middle
    )
    context.update(form=form, intermediary=middle)
    if data is not None and form.is_valid():
        through = form.cleaned_data.get("through_intermediary") and middle is not None
        try:
            introduction = introduction_services.request_introduction(
                request.user,
                target,
                requester_actor=form.cleaned_data["requester_actor"],
                message=form.cleaned_data["message"],
                contact=form.cleaned_data["contact"],
                resource_kind=form.cleaned_data["resource_kind"],
                via=middle.actor if through else None,
                site_url=_site_url(request),
            )
        except introduction_services.IntroductionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(
                request,
                _("Votre demande est envoyée à %(name)s.")
                % {"name": middle.label if through else target.name},
            )
            return redirect(introduction)
    return render(request, "network/introductions/new.html", context)


@login_required
@require_GET
def introductions(request):
    """A person's requests: to answer, to present, sent; and whom their pages blocked."""
    now = timezone.now()
    return render(
        request,
        "network/introductions/list.html",
        {"inbox": introduction_selectors.inbox(request.user, now), "now": now},
    )


def _introduction_or_404(request, pk) -> Introduction:
    try:
        introduction = introduction_selectors.introduction_for(pk)
    except Introduction.DoesNotExist:
        raise Http404 from None
    if not strictly(request.user, "network.see_introduction", introduction):
        raise Http404
    return introduction


def _introduction_page(request, introduction, answer_form=None, status=200):
    user = request.user
    now = timezone.now()
    state = introduction.state(now)
    answers = strictly(user, "network.answer_introduction", introduction)
    presents = strictly(user, "network.present_introduction", introduction)
    is_requester = introduction.requester_id == user.pk
    label = introduction.state_label(now)
    if is_requester and state == IntroductionStatus.REPORTED:
        # A report is closed without a word to its sender: to them, it was declined.
        label = IntroductionStatus.DECLINED.label
    context = {
        "introduction": introduction,
        "state": state,
        "state_label": label,
        "is_requester": is_requester,
        "may_answer": answers and state == "pending",
        "may_present": presents and state == "awaiting_intermediary",
        "answer_form": answer_form or forms.IntroductionAnswerForm(initial={"contact": user.email}),
    }
    return render(request, "network/introductions/detail.html", context, status=status)


@login_required
def introduction(request, pk):
    """One request: what was asked, its state, and for the people asked, the answers."""
    return _introduction_page(request, _introduction_or_404(request, pk))


@login_required
def introduction_answer(request, pk):
    introduction = _introduction_or_404(request, pk)
    if request.method != "POST":
        return redirect(introduction)
    form = forms.IntroductionAnswerForm(request.POST)
    if not form.is_valid():
        return _introduction_page(request, introduction, form, status=400)
    decision = form.cleaned_data["decision"]
    try:
        if decision == forms.IntroductionDecision.ACCEPT:
            introduction_services.accept_introduction(
                request.user,
                introduction,
                contact=form.cleaned_data["contact"],
                site_url=_site_url(request),
            )
            done = _("Vous avez accepté : %(name)s voit vos coordonnées, et vous les siennes.")
        elif decision == forms.IntroductionDecision.PRESENT:
            introduction_services.present_introduction(
                request.user, introduction, site_url=_site_url(request)
            )
            done = _("Vous avez présenté %(name)s : la demande est transmise.")
        else:
            introduction_services.decline_introduction(
                request.user,
                introduction,
                message=form.cleaned_data["message"],
                block=form.cleaned_data["block"],
                site_url=_site_url(request),
            )
            done = _("Vous avez refusé la demande de %(name)s.")
    except introduction_services.IntroductionRefused as refusal:
        form.add_error(None, refusal.message)
        return _introduction_page(request, introduction, form, status=400)
    messages.success(request, done % {"name": introduction.requester_actor.name})
    return redirect(introduction)


@login_required
def introduction_report(request, pk):
    """Report a request as abuse, after saying why: it is closed, its sender blocked."""
    introduction = _introduction_or_404(request, pk)
    answers = strictly(request.user, "network.answer_introduction", introduction)
    presents = strictly(request.user, "network.present_introduction", introduction)
    if not (answers or presents):
        raise Http404
    data = request.POST if request.method == "POST" else None
    form = forms.IntroductionReportForm(data)
    refusal = None
    if data is not None and form.is_valid():
        try:
            introduction_services.report_introduction(
                request.user,
                introduction,
                reason=form.cleaned_data["reason"],
                site_url=_site_url(request),
            )
        except introduction_services.IntroductionRefused as error:
            refusal = error.message
        else:
            messages.success(
                request,
                _(
                    "Demande signalée : %(name)s ne peut plus vous écrire, et l'équipe du "
                    "laboratoire est prévenue."
                )
                % {"name": introduction.requester_actor.name},
            )
            return redirect("network:introductions")
    return render(
        request,
        "network/introductions/report.html",
        {"introduction": introduction, "form": form, "refusal": refusal},
    )


@login_required
def introduction_unblock(request, pk):
    """Receive a blocked person's requests again (a POST from the requests page)."""
    if request.method != "POST":
        return redirect("network:introductions")
    block = introduction_selectors.block_for(pk)
    if block is None or not strictly(request.user, "network.block_requesters", block.actor):
        raise Http404
    introduction_services.lift_block(request.user, block)
    messages.success(request, _("Le blocage est levé."))
    return redirect("network:introductions")
