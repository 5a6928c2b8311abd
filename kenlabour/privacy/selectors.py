"""What the platform holds about a person, found by walking the models.

Every model field that points at an account (`accounts.User`) or at the person's own actor
(`network.Actor` of kind person, linked to the account) is a reference; the download lists
each row found through each reference. The walk is generic: a new model that points at a
person is in the download as soon as it exists, and `policy.ERASURE` must say what erasure
does to it (a test fails otherwise).
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from kenlabour.network.enums import ActorKind
from kenlabour.network.models import Actor

# Never written into a download: secrets (a password hash, the tokens of private links, a
# key) and what the platform derives for its own use.
HIDDEN_FIELDS = {"password", "token", "key", "search_text"}
# For some models, only these fields are written: a second factor is listed by its name and
# dates, never by its secret (whoever read it could make the codes), nor by the key
# material and identifiers a security key exchanges with the site.
_FACTOR_SHOWN = {"id", "user", "name", "confirmed", "created_at", "last_used_at"}
SHOWN_FIELDS = {
    "otp_totp.totpdevice": _FACTOR_SHOWN,
    "otp_static.staticdevice": _FACTOR_SHOWN,
    "django_otp_webauthn.webauthncredential": {
        "id",
        "user",
        "name",
        "confirmed",
        "created_at",
        "last_used_at",
    },
    "django_otp_webauthn.webauthnuserhandle": {"user"},
    # A file being imported is listed by its name and choices, not its 5 MB of content
    # (the person sent it; it holds other people's details).
    "network.pendingimport": {"id", "user", "filename", "columns", "values", "created_at"},
}

# Rows that point at the person one step further away than a direct reference: the
# attendance recorded from one of their registrations.
INDIRECT = [("lab.attendance", "registration__user")]


@dataclass(frozen=True)
class Reference:
    model: type[models.Model]
    field: str  # the field's name, or a lookup path for an indirect reference
    via: str  # "user" (the account) or "person" (the person's actor)

    @property
    def key(self) -> str:
        return f"{self.model._meta.label_lower}.{self.field}"


def references() -> list[Reference]:
    """Every forward relation of every model to an account or an actor."""
    user_model = get_user_model()
    found = []
    for model in apps.get_models():
        meta = model._meta
        for field in [*meta.fields, *meta.many_to_many]:
            if not field.is_relation or field.auto_created:
                continue
            if field.related_model is user_model:
                found.append(Reference(model, field.name, "user"))
            elif field.related_model is Actor:
                found.append(Reference(model, field.name, "person"))
    for label, path in INDIRECT:
        found.append(Reference(apps.get_model(label), path, "user"))
    return sorted(found, key=lambda reference: reference.key)


def _joined(model, depth: int = 2) -> list[str]:
    """The foreign keys a row's text may read (two steps away), joined in its query."""
    paths = []
    for field in model._meta.fields:
        if field.is_relation and (field.many_to_one or field.one_to_one):
            paths.append(field.name)
            if depth > 1:
                paths += [f"{field.name}__{sub}" for sub in _joined(field.related_model, depth - 1)]
    return paths


def person_actor(user) -> Actor | None:
    """The actor that is this person in the directory, if any."""
    return Actor.objects.filter(user=user, kind=ActorKind.PERSON).first()


def _plain(value):
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _fields(obj) -> list[dict]:
    rows = []
    shown_only = SHOWN_FIELDS.get(obj._meta.label_lower)
    for field in obj._meta.concrete_fields:
        if field.name in HIDDEN_FIELDS or (shown_only and field.name not in shown_only):
            continue
        value = field.value_from_object(obj)
        if field.choices and value not in (None, ""):
            shown = str(dict(field.flatchoices).get(value, value))
        else:
            shown = _plain(value)
        rows.append(
            {
                "name": field.name,
                "label": str(field.verbose_name),
                "value": _plain(value),
                "shown": shown,
            }
        )
    return rows


def _record(obj) -> dict:
    return {"id": obj.pk, "text": str(obj), "fields": _fields(obj)}


def personal_data(user) -> dict:
    """Everything the platform holds about `user`: their account, their actor, and every
    row that points at either, grouped by reference (one query per reference)."""
    actor = person_actor(user)
    sections = [
        {
            "key": "accounts.user",
            "title": str(get_user_model()._meta.verbose_name).capitalize(),
            "records": [_record(user)],
        }
    ]
    for reference in references():
        target = user if reference.via == "user" else actor
        if target is None:
            continue
        rows = (
            reference.model._default_manager.filter(**{reference.field: target})
            .select_related(*_joined(reference.model))
            .order_by("pk")
        )
        records = [_record(obj) for obj in rows]
        if not records:
            continue
        meta = reference.model._meta
        field = meta.get_field(reference.field) if "__" not in reference.field else None
        via = str(field.verbose_name) if field is not None else reference.field
        sections.append(
            {
                "key": reference.key,
                "title": f"{str(meta.verbose_name_plural).capitalize()} ({via})",
                "records": records,
            }
        )
    return {
        "generated_at": timezone.localtime().isoformat(),
        "email": user.email,
        "sections": sections,
    }
