"""`__in` on integer columns that ignores values no such column can hold.

Django already answers "no row" for `pk=…`, `pk__gt=…` and the like when the value lies
outside the column's range (`IntegerFieldOverflow`), but not for `__in`: SQLite then crashes
with an OverflowError, and PostgreSQL with a DataError. A form's multiple choice of objects
(`ModelMultipleChoiceField`) asks `pk__in=[…]` with what the browser sent, so an id of
25 digits gave an error 500 instead of "not one of the available choices". Such a value can
match no row, so it is dropped, as Django drops `None`.
"""

from django.core.exceptions import EmptyResultSet
from django.db.models import IntegerField
from django.db.models.lookups import In


@IntegerField.register_lookup
class IntegerFieldIn(In):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(
                self.lhs.output_field.get_internal_type()
            )
            values = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
            if not values:
                raise EmptyResultSet
            self.rhs = values
        return super().process_rhs(compiler, connection)
