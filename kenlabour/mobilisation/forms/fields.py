"""Fields shared by the mobilisation's forms: dates and numbers bounded as the models are
(kenlabour.mobilisation.bounds), refused in French at the field, with the same limits
offered to the browser (min, max)."""

from django import forms
from django.core.validators import MinValueValidator

from kenlabour.mobilisation import bounds


class BoundedDateField(forms.DateField):
    """A day in the years 2000 to 2099 (a year 1 typed by mistake is refused)."""

    default_validators = [bounds.day_in_bounds]

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.setdefault("min", bounds.EARLIEST_DAY.isoformat())
        attrs.setdefault("max", bounds.LATEST_DAY.isoformat())
        return attrs


class BoundedIntegerField(forms.IntegerField):
    """An integer within the limits of `limits`, validators of the bounds module."""

    def __init__(self, *, limits, **kwargs):
        self.limits = list(limits)
        super().__init__(validators=self.limits, **kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        for validator in self.limits:
            key = "min" if isinstance(validator, MinValueValidator) else "max"
            attrs.setdefault(key, validator.limit_value)
        return attrs
