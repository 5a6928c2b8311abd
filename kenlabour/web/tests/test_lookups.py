"""An id past any integer column's range, sent by a form, matches nothing instead of crashing
the database driver."""

import pytest
from django import forms

from kenlabour.accounts.models import User
from kenlabour.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HUGE = 10**25


def test_in_ignores_ids_past_the_column_range_and_keeps_the_others():
    user = UserFactory()
    assert list(User.objects.filter(pk__in=[HUGE, -HUGE, user.pk])) == [user]
    assert not User.objects.filter(pk__in=[HUGE]).exists()


def test_a_multiple_choice_of_objects_refuses_a_huge_id_with_a_message():
    UserFactory()

    class ChoiceForm(forms.Form):
        people = forms.ModelMultipleChoiceField(queryset=User.objects.all())

    form = ChoiceForm(data={"people": [str(HUGE)]})
    assert not form.is_valid()
    assert "people" in form.errors
