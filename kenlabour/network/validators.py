"""Checks on identifiers typed by people: pure functions, French messages."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum used by SIREN and SIRET numbers."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def normalise_siret(value: str) -> str:
    return "".join(value.split())


def siret_valid(siret: str) -> bool:
    """A SIRET is 14 digits passing Luhn; La Poste's establishments (SIREN 356000000) use a
    sum of digits divisible by 5 instead."""
    if len(siret) != 14 or not siret.isdigit():
        return False
    if siret.startswith("356000000"):
        return sum(int(c) for c in siret) % 5 == 0
    return luhn_valid(siret)


def validate_siret(value: str) -> None:
    siret = normalise_siret(value)
    if len(siret) != 14 or not siret.isdigit():
        raise ValidationError(
            _("Un numéro SIRET compte 14 chiffres (vous en avez saisi %(count)d)."),
            code="siret_length",
            params={"count": sum(c.isdigit() for c in siret)},
        )
    if not siret_valid(siret):
        raise ValidationError(
            _("Ce numéro SIRET n'existe pas : sa clé de contrôle est fausse."),
            code="siret_checksum",
        )
