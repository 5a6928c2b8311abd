"""Thin views of the lab: parse input with a form, call one selector or service, render."""

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kenlabour.accounts.perms import can
from kenlabour.lab import filetypes, forms, qrcodes
from kenlabour.lab.enums import Phase
from kenlabour.lab.models import Lab, Method, Registration, Series, Workshop
from kenlabour.lab.selectors import attendance as attendance_selectors
from kenlabour.lab.selectors import calendars as calendar_selectors
from kenlabour.lab.selectors import experiments as experiment_selectors
from kenlabour.lab.selectors import impact as impact_selectors
from kenlabour.lab.selectors import organisations as organisation_selectors
from kenlabour.lab.selectors import series as series_selectors
from kenlabour.lab.selectors import workshops as workshop_selectors
from kenlabour.lab.services import attendance as attendance_services
from kenlabour.lab.services import experiments as experiment_services
from kenlabour.lab.services import files as file_services
from kenlabour.lab.services import follow_up as follow_up_services
from kenlabour.lab.services import interconnections as interconnection_services
from kenlabour.lab.services import workshops as workshop_services
from kenlabour.web import spreadsheets
from kenlabour.web.confirm import confirmation_page
from kenlabour.web.limits import upload_limit

# --- impact dashboard and exports (impact helper) ------------------------------------


@require_GET
def impact(request):
    """The impact dashboard: figures computed from attendance, for a lab, a year, a theme
    or a département (public: figures only, nobody named)."""
    form = forms.ImpactFilterForm(request.GET)
    report = impact_selectors.impact_report(form.filters()) if form.is_valid() else None
    return render(
        request,
        "lab/impact.html",
        {"form": form, "report": report, "filters_query": request.GET.urlencode()},
    )


def _impact_export(request, extension: str):
    form = forms.ImpactFilterForm(request.GET)
    if not form.is_valid():
        # The dashboard shows what is wrong with the filters, field by field.
        return redirect(f"{reverse('lab:impact')}?{request.GET.urlencode()}")
    report = impact_selectors.impact_report(form.filters())
    rows = impact_selectors.impact_export_rows(report)
    header = [_("Rubrique"), _("Indicateur"), _("Valeur")]
    filters = report.filters
    parts = [
        filters.lab.slug if filters.lab else "",
        str(filters.year or ""),
        filters.theme.slug if filters.theme else "",
        filters.departement.code if filters.departement else "",
    ]
    filename = "-".join(["impact", *[p for p in parts if p]]) + f".{extension}"
    if extension == "csv":
        response = StreamingHttpResponse(
            spreadsheets.csv_chunks(header, rows), content_type=spreadsheets.CSV_CONTENT_TYPE
        )
    else:
        response = HttpResponse(
            spreadsheets.xlsx_bytes(header, rows, sheet_title=_("Impact")),
            content_type=spreadsheets.XLSX_CONTENT_TYPE,
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def impact_csv(request):
    return _impact_export(request, "csv")


@require_GET
def impact_xlsx(request):
    return _impact_export(request, "xlsx")


# --- workshops, registration, attendance, series, methods, calendars (workshops helper)


def _site_url(request) -> str:
    return request.build_absolute_uri("/")


def _add_errors(form, error: ValidationError) -> None:
    """A service's refusal, shown at its field (or at the top of the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _workshop_page(request, slug):
    try:
        return workshop_selectors.workshop_page(request.user, slug)
    except Workshop.DoesNotExist:
        raise Http404 from None


@require_GET
def workshops(request):
    """Upcoming or past workshops of every lab, searched by keyword, dates, format, place
    and distance, lab and theme."""
    form = forms.WorkshopFilterForm(request.GET)
    filters = form.filters()
    paginator = Paginator(
        workshop_selectors.workshop_list(request.user, **filters),
        workshop_selectors.WORKSHOPS_PAGE_SIZE,
    )
    page_obj = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "lab/workshops.html",
        {
            "form": form,
            "past": filters["past"],
            "page_obj": page_obj,
            "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=2),
            "can_create": can(request.user, "lab.create_workshop"),
        },
    )


def _render_workshop(request, page, *, form=None, invite_form=None, status=200):
    return render(
        request,
        "lab/workshop.html",
        {
            "page": page,
            "workshop": page.workshop,
            "form": form or forms.RegistrationForm(),
            "invite_form": invite_form or forms.InviteForm(),
        },
        status=status,
    )


@require_GET
def workshop(request, slug):
    return _render_workshop(request, _workshop_page(request, slug))


def _registered_message(request, registration) -> None:
    if registration.status == "confirmed":
        messages.success(
            request,
            _("Place confirmée pour %(name)s. Une confirmation part à %(email)s.")
            % {"name": registration.name, "email": registration.email},
        )
    else:
        messages.info(
            request,
            _(
                "L'atelier est complet : %(name)s est sur la liste d'attente, en position "
                "%(position)d. Un message part à %(email)s si une place se libère."
            )
            % {
                "name": registration.name,
                "email": registration.email,
                "position": workshop_selectors.waiting_position(registration),
            },
        )


@require_POST
def register(request, slug):
    """Register oneself: with one's account, or with a name and an e-mail address."""
    page = _workshop_page(request, slug)
    if request.user.is_authenticated:
        form = forms.RegistrationForm(
            {"name": str(request.user), "email": request.user.email},
        )
    else:
        form = forms.RegistrationForm(request.POST)
    if form.is_valid():
        try:
            registration = workshop_services.register(
                request.user, page.workshop, site_url=_site_url(request), **form.cleaned_data
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            _registered_message(request, registration)
            return redirect("lab:registration", token=registration.token)
    return _render_workshop(request, page, form=form)


@require_POST
@login_required
def invite(request, slug):
    """A facilitator registers someone."""
    page = _workshop_page(request, slug)
    if not page.can_edit:
        raise PermissionDenied
    form = forms.InviteForm(request.POST)
    if form.is_valid():
        try:
            registration = workshop_services.register(
                request.user,
                page.workshop,
                site_url=_site_url(request),
                invited=True,
                **form.cleaned_data,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            _registered_message(request, registration)
            return redirect(f"{page.workshop.get_absolute_url()}#inscrits")
    return _render_workshop(request, page, invite_form=form)


@require_http_methods(["GET", "POST"])
def registration(request, token):
    """A registration seen through its secret link: its status, and a button to cancel."""
    error = ""
    if request.method == "POST":
        try:
            found, _position = workshop_selectors.registration_by_token(token)
        except Registration.DoesNotExist:
            raise Http404 from None
        page = confirmation_page(
            request,
            title=_("Annuler votre inscription ?"),
            message=_(
                "Votre inscription à « %(title)s » sera annulée et votre place ira à la "
                "première personne de la liste d'attente. Pour revenir, il faudra vous "
                "inscrire de nouveau, s'il reste de la place."
            )
            % {"title": found.workshop.title},
            back_url=reverse("lab:registration", kwargs={"token": token}),
            confirm_label=_("Oui, annuler mon inscription"),
            danger=True,
        )
        if page is not None:
            return page
        try:
            cancelled, _promoted = workshop_services.cancel_registration(
                token, site_url=_site_url(request)
            )
        except Registration.DoesNotExist:
            raise Http404 from None
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            messages.success(
                request,
                _("L'inscription de %(name)s est annulée ; sa place revient à la suite de la file.")
                % {"name": cancelled.name},
            )
            return redirect("lab:registration", token=token)
    try:
        found, position = workshop_selectors.registration_by_token(token)
    except Registration.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "lab/registration.html",
        {"registration": found, "workshop": found.workshop, "position": position, "error": error},
    )


@login_required
@require_http_methods(["GET", "POST"])
def workshop_create(request):
    if not can(request.user, "lab.create_workshop"):
        raise PermissionDenied
    form = forms.WorkshopForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            created = workshop_services.create_workshop(
                request.user,
                fields=form.workshop_fields(),
                themes=form.cleaned_data["themes"],
                facilitators=form.cleaned_data["facilitators"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("L'atelier « %(title)s » est créé.") % {"title": created})
            return redirect(created)
    return render(request, "lab/workshop_form.html", {"form": form, "workshop": None})


@login_required
@require_http_methods(["GET", "POST"])
def workshop_edit(request, slug):
    try:
        current = workshop_selectors.workshop_for_edit(request.user, slug)
    except Workshop.DoesNotExist:
        raise Http404 from None
    if not can(request.user, "lab.edit_workshop", current):
        raise PermissionDenied
    form = forms.WorkshopForm(
        request.POST or None, user=request.user, initial=forms.WorkshopForm.initial_of(current)
    )
    if request.method == "POST" and form.is_valid():
        try:
            workshop_services.update_workshop(
                request.user,
                current,
                fields=form.workshop_fields(),
                themes=form.cleaned_data["themes"],
                facilitators=form.cleaned_data["facilitators"],
                site_url=_site_url(request),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("L'atelier est enregistré."))
            return redirect("lab:workshop", slug=slug)
    return render(
        request,
        "lab/workshop_form.html",
        {"form": form, "workshop": current, "file_form": forms.WorkshopFileForm()},
    )


@login_required
@require_POST
def workshop_cancel(request, slug):
    """Cancel the workshop, after a confirmation step: everyone registered is told."""
    page = _workshop_page(request, slug)
    if not page.can_edit:
        raise PermissionDenied
    reason = request.POST.get("raison", "")[:2000]
    registered = page.confirmed + page.waiting
    confirm = confirmation_page(
        request,
        title=_("Annuler l'atelier « %(title)s » ?") % {"title": page.workshop.title},
        message=ngettext(
            "L'atelier sera annoncé comme annulé et %(count)d personne inscrite recevra un e-mail.",
            "L'atelier sera annoncé comme annulé et %(count)d personnes inscrites "
            "recevront un e-mail.",
            registered,
        )
        % {"count": registered},
        details=[_("Raison donnée : %(reason)s") % {"reason": reason}] if reason.strip() else [],
        back_url=page.workshop.get_absolute_url(),
        confirm_label=_("Oui, annuler l'atelier"),
        danger=True,
    )
    if confirm is not None:
        return confirm
    try:
        workshop_services.cancel_workshop(
            request.user, page.workshop, reason=reason, site_url=_site_url(request)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("L'atelier est annulé ; les personnes inscrites sont prévenues.")
        )
    return redirect(page.workshop)


@upload_limit(filetypes.MAX_SIZE)
@login_required
@require_POST
def workshop_file_add(request, slug):
    try:
        current = workshop_selectors.workshop_for_edit(request.user, slug)
    except Workshop.DoesNotExist:
        raise Http404 from None
    if not can(request.user, "lab.edit_workshop", current):
        raise PermissionDenied
    file_form = forms.WorkshopFileForm(request.POST, request.FILES)
    if file_form.is_valid():
        try:
            file_services.attach_file(
                request.user,
                current,
                title=file_form.cleaned_data["title"],
                upload=file_form.cleaned_data["file"],
            )
        except ValidationError as error:
            _add_errors(file_form, error)
        else:
            messages.success(request, _("Le fichier est publié avec l'atelier."))
            return redirect("lab:workshop", slug=slug)
    form = forms.WorkshopForm(user=request.user, initial=forms.WorkshopForm.initial_of(current))
    return render(
        request,
        "lab/workshop_form.html",
        {"form": form, "workshop": current, "file_form": file_form},
    )


@require_GET
def workshop_file(request, slug, pk):
    page = _workshop_page(request, slug)
    stored = next((f for f in page.workshop.files.all() if f.pk == pk), None)
    if stored is None:
        raise Http404
    content_type = mimetypes.guess_type(stored.file.name)[0] or "application/octet-stream"
    return FileResponse(
        stored.file.open("rb"),
        as_attachment=True,
        filename=stored.file.name.rpartition("/")[2],
        content_type=content_type,
    )


# Sign-in sheet and participant code


def _row_forms(sheet, bound=None):
    """One "came as" form per registered person, prefilled from their network profile."""
    row_forms = []
    for row in sheet.rows:
        prefix = f"r{row.registration.pk}"
        if bound is not None and bound.prefix == prefix:
            row_forms.append((row, bound))
            continue
        initial = {
            "kind": row.kind,
            "organisation": row.organisation,
            "directorate": row.directorate,
        }
        row_forms.append((row, forms.CameAsForm(prefix=prefix, initial=initial)))
    return row_forms


def _sheet_or_404(request, slug):
    try:
        sheet = attendance_selectors.attendance_sheet(slug)
    except Workshop.DoesNotExist:
        raise Http404 from None
    if not can(request.user, "lab.take_attendance", sheet.workshop):
        raise PermissionDenied
    return sheet


def _code_page_url(request, workshop) -> str:
    return request.build_absolute_uri(
        f"{reverse('lab:attendance_code')}?code={workshop.attendance_code}"
    )


def _row_response(request, sheet, registration_id, row_form=None):
    """What htmx swaps after a tick or its undo: the row, and the count out of band."""
    row = attendance_selectors.sheet_row(registration_id, sheet.workshop)
    return render(
        request,
        "lab/_attendance_row.html",
        {
            "row": row,
            "row_form": row_form or forms.CameAsForm(prefix=f"r{registration_id}"),
            "workshop": sheet.workshop,
            "present": attendance_selectors.present_count(sheet.workshop),
            "count_out_of_band": True,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request, slug):
    """The sign-in sheet: one POST per tick, htmx swaps the ticked row and the count."""
    sheet = _sheet_or_404(request, slug)
    bound = None
    walk_in_form = forms.WalkInForm()
    if request.method == "POST":
        if "registration" in request.POST:
            registration = next(
                (
                    row.registration
                    for row in sheet.rows
                    if str(row.registration.pk) == request.POST["registration"]
                ),
                None,
            )
            if registration is None:
                raise Http404
            bound = forms.CameAsForm(request.POST, prefix=f"r{registration.pk}")
            if bound.is_valid():
                try:
                    attendance_services.mark_present(request.user, registration, **bound.came_as())
                except ValidationError as error:
                    _add_errors(bound, error)
            if request.htmx:
                return _row_response(
                    request, sheet, registration.pk, bound if bound.errors else None
                )
            if not bound.errors:
                messages.success(
                    request, _("%(name)s : présence notée.") % {"name": registration.name}
                )
                return redirect(
                    f"{reverse('lab:attendance', kwargs={'slug': slug})}#inscrit-{registration.pk}"
                )
        else:
            walk_in_form = forms.WalkInForm(request.POST)
            if walk_in_form.is_valid():
                try:
                    attendance_services.record_walk_in(
                        request.user,
                        sheet.workshop,
                        name=walk_in_form.cleaned_data["name"],
                        **walk_in_form.came_as(),
                    )
                except ValidationError as error:
                    _add_errors(walk_in_form, error)
                else:
                    messages.success(
                        request,
                        _("%(name)s : présence notée (sans inscription).")
                        % {"name": walk_in_form.cleaned_data["name"]},
                    )
                    return redirect(f"{reverse('lab:attendance', kwargs={'slug': slug})}#compte")
        sheet = attendance_selectors.attendance_sheet(slug)
    return render(
        request,
        "lab/attendance.html",
        {
            "sheet": sheet,
            "workshop": sheet.workshop,
            "present": sheet.present,
            "row_forms": _row_forms(sheet, bound),
            "walk_in_form": walk_in_form,
            "qr_code": qrcodes.svg_data_uri(_code_page_url(request, sheet.workshop)),
            "code_page_url": _code_page_url(request, sheet.workshop),
        },
    )


@login_required
@require_POST
def attendance_undo(request, slug):
    """Undo a tick (marked present by mistake): the row comes back unticked."""
    sheet = _sheet_or_404(request, slug)
    found = attendance_selectors.attendance_of_sheet(
        sheet.workshop, request.POST.get("attendance", "")
    )
    if found is None:
        raise Http404
    try:
        registration = attendance_services.unmark_present(request.user, found)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        registration = found.registration
    else:
        if not request.htmx:
            messages.success(request, _("%(name)s : présence retirée.") % {"name": found.name})
    if request.htmx and registration is not None:
        return _row_response(request, sheet, registration.pk)
    anchor = f"inscrit-{registration.pk}" if registration is not None else "sans-inscription"
    return redirect(f"{reverse('lab:attendance', kwargs={'slug': slug})}#{anchor}")


@login_required
@require_GET
def attendance_print(request, slug):
    """The paper sign-in sheet: everyone registered, blank lines for walk-ins, a column to
    sign; the code and its QR code for those who prefer to sign in themselves."""
    sheet = _sheet_or_404(request, slug)
    return render(
        request,
        "lab/attendance_print.html",
        {
            "sheet": sheet,
            "workshop": sheet.workshop,
            "blank_lines": range(max(5, sheet.workshop.capacity - len(sheet.rows))),
            "qr_code": qrcodes.svg_data_uri(_code_page_url(request, sheet.workshop)),
            "code_page_url": _code_page_url(request, sheet.workshop),
        },
    )


@require_http_methods(["GET", "POST"])
def attendance_code(request):
    """A participant signs in with the code the facilitator shows (the QR code of the
    sheet brings the code along in the address)."""
    initial = {"code": request.GET.get("code", "")[:12]}
    if request.user.is_authenticated:
        initial |= {"name": str(request.user), "email": request.user.email}
    form = forms.CodeSignInForm(request.POST or None, initial=initial)
    suggestions = organisation_selectors.came_as_suggestions()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            recorded = attendance_services.sign_in_with_code(
                request.user,
                code=data["code"],
                name=data["name"],
                email=data["email"],
                **form.came_as(),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("Merci %(name)s : votre présence à « %(title)s » est enregistrée.")
                % {"name": recorded.name, "title": recorded.workshop.title},
            )
            return redirect("lab:attendance_code")
    return render(request, "lab/attendance_code.html", {"form": form, **suggestions})


# Series, methods, calendars


@require_GET
def series(request, slug):
    try:
        page = series_selectors.series_page(request.user, slug)
    except Series.DoesNotExist:
        raise Http404 from None
    return render(request, "lab/series.html", {"page": page, "series": page.series})


@require_GET
def methods(request):
    return render(request, "lab/methods.html", {"methods": workshop_selectors.methods()})


@require_GET
def method(request, slug):
    try:
        found, upcoming = workshop_selectors.method_page(request.user, slug)
    except Method.DoesNotExist:
        raise Http404 from None
    return render(request, "lab/method.html", {"method": found, "upcoming": upcoming})


def _ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def workshop_ics(request, slug):
    try:
        found, content = calendar_selectors.workshop_ics(request.user, slug, _site_url(request))
    except Workshop.DoesNotExist:
        raise Http404 from None
    return _ics_response(content, f"{found.slug}.ics")


@require_GET
def lab_calendar(request, lab_slug):
    try:
        found, content = calendar_selectors.lab_calendar(lab_slug, _site_url(request))
    except Lab.DoesNotExist:
        raise Http404 from None
    return _ics_response(content, f"{found.slug}.ics")


# --- experiments and interconnections (experiments helper) ----------------------------


@require_GET
def experiments(request):
    """Experiments of every lab: published ones for all, unpublished ones for their lab's
    facilitators and team; searched by keyword, filtered by lab, theme, phase, public and
    territory."""
    form = forms.ExperimentFilterForm(request.GET)
    found = experiment_selectors.experiment_list(request.user, **form.filters())
    paginator = Paginator(found, experiment_selectors.EXPERIMENTS_PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "lab/experiments.html",
        {
            "form": form,
            "page_obj": page_obj,
            "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=2),
            "may_create": can(request.user, "lab.create_experiment"),
        },
    )


@require_GET
def experiment(request, slug):
    page = experiment_selectors.experiment_page(request.user, slug)
    if page is None:
        raise Http404
    found = page.experiment
    # Facilitators get a small form by hypothesis and by recommendation (built here, no query).
    hypotheses = [
        (
            hypothesis,
            forms.HypothesisStatusForm(
                prefix=f"hypothese-{hypothesis.pk}", initial={"status": hypothesis.status}
            )
            if page.can_edit
            else None,
        )
        for hypothesis in found.hypotheses.all()
    ]
    recommendations = [
        (
            recommendation,
            forms.FollowUpForm(
                prefix=f"preconisation-{recommendation.pk}",
                initial={
                    "follow_up": recommendation.follow_up,
                    "note": recommendation.follow_up_note,
                },
            )
            if page.can_edit
            else None,
        )
        for recommendation in found.recommendations.all()
    ]
    return render(
        request,
        "lab/experiment.html",
        {
            "page": page,
            "experiment": found,
            "hypotheses": hypotheses,
            "recommendations": recommendations,
        },
    )


def _experiment_form(request, experiment=None):
    form = forms.ExperimentForm(request.POST or None, instance=experiment, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = experiment_services.save_experiment(
                request.user, form.fields_for_service(), experiment=experiment
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("L'expérimentation est enregistrée."))
            return redirect(saved)
    return render(request, "lab/experiment_form.html", {"form": form, "experiment": experiment})


@login_required
@require_http_methods(["GET", "POST"])
def experiment_create(request):
    if not can(request.user, "lab.create_experiment"):
        raise PermissionDenied
    return _experiment_form(request)


@login_required
@require_http_methods(["GET", "POST"])
def experiment_edit(request, slug):
    experiment = experiment_selectors.experiment_for_edit(request.user, slug)
    if experiment is None:
        raise Http404
    return _experiment_form(request, experiment)


@login_required
@require_http_methods(["GET", "POST"])
def experiment_phase(request, slug):
    """Move the experiment to its next phase: the form offers only the allowed ones."""
    experiment = experiment_selectors.experiment_for_edit(request.user, slug)
    if experiment is None:
        raise Http404
    form = forms.PhaseForm(request.POST or None, experiment=experiment)
    if request.method == "POST" and form.is_valid():
        target = Phase(form.cleaned_data["phase"]).label
        page = confirmation_page(
            request,
            title=_("Passer « %(title)s » à l'étape « %(phase)s » ?")
            % {"title": experiment.title, "phase": target},
            message=_(
                "L'étape est datée du %(date)s et entre dans l'historique public de "
                "l'expérimentation ; on ne revient pas à une étape précédente."
            )
            % {"date": form.cleaned_data["date"].strftime("%d/%m/%Y")},
            back_url=reverse("lab:experiment_phase", kwargs={"slug": slug}),
            confirm_label=_("Oui, passer à « %(phase)s »") % {"phase": target},
            danger=form.cleaned_data["phase"] == Phase.STOPPED,
        )
        if page is not None:
            return page
        try:
            experiment_services.change_phase(request.user, experiment, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("L'étape de l'expérimentation est enregistrée."))
            return redirect(experiment)
    return render(request, "lab/experiment_phase.html", {"form": form, "experiment": experiment})


@login_required
@require_http_methods(["GET", "POST"])
def measurement_add(request, slug):
    experiment = experiment_selectors.experiment_for_edit(request.user, slug)
    if experiment is None:
        raise Http404
    form = forms.MeasurementForm(request.POST or None, experiment=experiment)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            follow_up_services.add_measurement(
                request.user, data["indicator"], date=data["date"], value=data["value"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("La mesure est enregistrée."))
            return redirect(experiment)
    return render(request, "lab/measurement_form.html", {"form": form, "experiment": experiment})


@login_required
@require_POST
def interconnection_decide(request, slug):
    """Accept or dismiss a suggested link (a plain form: works without JavaScript)."""
    experiment = experiment_selectors.experiment_by_slug(request.user, slug)
    form = forms.InterconnectionDecisionForm(request.POST)
    if experiment is None or not form.is_valid():
        raise Http404
    other = experiment_selectors.experiment_by_slug(request.user, form.cleaned_data["other"])
    if other is None:
        raise Http404
    accept = form.cleaned_data["decision"] == "accept"
    if not can(request.user, "lab.decide_interconnection", experiment):
        raise PermissionDenied
    page = confirmation_page(
        request,
        title=(
            _("Accepter le lien avec « %(title)s » ?")
            if accept
            else _("Écarter la suggestion « %(title)s » ?")
        )
        % {"title": other.title},
        message=(
            _(
                "Le lien figurera sur les pages des deux expérimentations et leurs partenaires "
                "entreront dans le graphe du réseau."
            )
            if accept
            else _("La suggestion ne sera plus proposée pour ces deux expérimentations.")
        ),
        back_url=f"{experiment.get_absolute_url()}#liens",
        confirm_label=_("Oui, accepter le lien") if accept else _("Oui, écarter la suggestion"),
        danger=not accept,
    )
    if page is not None:
        return page
    try:
        interconnection_services.decide_interconnection(
            request.user, experiment, other, accept=accept
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if accept:
            message = _("Le lien avec « %(title)s » est accepté : il figure sur les deux pages.")
        else:
            message = _("La suggestion « %(title)s » est écartée.")
        messages.success(request, message % {"title": other.title})
    return redirect(experiment)


# Follow-up: hypotheses, indicators, results, recommendations. One page per addition;
# hypotheses' status and recommendations' follow-up change from the experiment's page.


def _addition_page(request, slug, *, form_class, add, template_name, message, anchor):
    """A facilitator adds one record to the experiment: `add(user, experiment, data)`
    calls the service; the experiment's page then shows it at `anchor`."""
    experiment = experiment_selectors.experiment_for_edit(request.user, slug)
    if experiment is None:
        raise Http404
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            add(request.user, experiment, form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, message)
            return redirect(f"{experiment.get_absolute_url()}#{anchor}")
    stopped = experiment.phase == Phase.STOPPED
    context = {"form": form, "experiment": experiment, "stopped": stopped}
    if form_class is forms.RecommendationForm:
        context["organisations"] = organisation_selectors.organisation_names()
    return render(request, template_name, context)


@login_required
@require_http_methods(["GET", "POST"])
def hypothesis_add(request, slug):
    return _addition_page(
        request,
        slug,
        form_class=forms.HypothesisForm,
        add=lambda user, experiment, data: follow_up_services.add_hypothesis(
            user, experiment, text=data["text"]
        ),
        template_name="lab/hypothesis_form.html",
        message=_("L'hypothèse est enregistrée, « à vérifier »."),
        anchor="hypotheses",
    )


@login_required
@require_http_methods(["GET", "POST"])
def indicator_add(request, slug):
    return _addition_page(
        request,
        slug,
        form_class=forms.IndicatorForm,
        add=lambda user, experiment, data: follow_up_services.add_indicator(
            user, experiment, **data
        ),
        template_name="lab/indicator_form.html",
        message=_("L'indicateur est enregistré : ajoutez-lui des mesures au fil du temps."),
        anchor="indicateurs",
    )


@login_required
@require_http_methods(["GET", "POST"])
def result_add(request, slug):
    return _addition_page(
        request,
        slug,
        form_class=forms.ResultForm,
        add=lambda user, experiment, data: follow_up_services.add_result(user, experiment, **data),
        template_name="lab/result_form.html",
        message=_("Le résultat est enregistré."),
        anchor="resultats",
    )


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_add(request, slug):
    return _addition_page(
        request,
        slug,
        form_class=forms.RecommendationForm,
        add=lambda user, experiment, data: follow_up_services.add_recommendation(
            user, experiment, **data
        ),
        template_name="lab/recommendation_form.html",
        message=_("La préconisation est enregistrée, « adressée »."),
        anchor="preconisations",
    )


def _refusal(request, form, error=None) -> None:
    """A small form of the experiment's page was refused: say why at the top of the page."""
    texts = error.messages if error is not None else [e for es in form.errors.values() for e in es]
    messages.error(request, " ".join(str(text) for text in texts))


@login_required
@require_POST
def hypothesis_status(request, slug, pk):
    experiment = experiment_selectors.experiment_for_edit(request.user, slug)
    hypothesis = experiment.hypotheses.filter(pk=pk).first() if experiment else None
    if hypothesis is None:
        raise Http404
    form = forms.HypothesisStatusForm(request.POST, prefix=f"hypothese-{pk}")
    if not form.is_valid():
        _refusal(request, form)
    else:
        try:
            changed = follow_up_services.set_hypothesis_status(
                request.user, hypothesis, status=form.cleaned_data["status"]
            )
        except ValidationError as error:
            _refusal(request, form, error)
        else:
            messages.success(
                request,
                _("L'hypothèse est désormais « %(status)s ».")
                % {"status": changed.get_status_display()},
            )
    return redirect(f"{experiment.get_absolute_url()}#hypothese-{pk}")


@login_required
@require_POST
def recommendation_follow_up(request, slug, pk):
    experiment = experiment_selectors.experiment_for_edit(request.user, slug)
    recommendation = experiment.recommendations.filter(pk=pk).first() if experiment else None
    if recommendation is None:
        raise Http404
    form = forms.FollowUpForm(request.POST, prefix=f"preconisation-{pk}")
    if not form.is_valid():
        _refusal(request, form)
    else:
        try:
            changed = follow_up_services.record_follow_up(
                request.user,
                recommendation,
                follow_up=form.cleaned_data["follow_up"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            _refusal(request, form, error)
        else:
            messages.success(
                request,
                _("La suite de la préconisation à %(organisation)s est « %(follow_up)s ».")
                % {
                    "organisation": changed.addressed_to.name,
                    "follow_up": changed.get_follow_up_display(),
                },
            )
    return redirect(f"{experiment.get_absolute_url()}#preconisation-{pk}")
