"""Bounds of every number and date of the mobilisation, in the database.

Before adding the CheckConstraints, the first step (`clamp_out_of_range_rows`) brings
every existing row within the bounds, so that the migration cannot fail on a database
written before them (through the admin, a script or an import). A value beyond a bound
is set to that bound, nothing is deleted:

- dates (campaigns, deadlines, availability windows, deliveries, production) to
  1 January 2000 at the earliest and 31 December 2099 at the latest; timestamps
  (submitted, validated, created, decided, confirmed, resolved) likewise, in UTC.
  Clamping keeps the order of two dates, so a window (start <= end) stays one;
- quantities: a need, a matching line, a planned delivery, a declared delivery and a
  material request or donation to 1..1,000,000 units, a production declaration to
  1..100,000, units a day to 0..100,000, a stock to 0..1,000,000, a delivery radius
  to 1..1000 km, a distance of a line or a delivery to 0..1000 km, a reference unit
  cost to 0..10,000,000 cents, an item's position to 0..1000, an urgency to 1..3;
  a run's distance and duration to 0 or more;
- a declared delivery to 1..1,000,000 units and at most the planned units; its received
  units to at most that (lowered first, as the received units already never exceed the
  declared ones).

On PostgreSQL the step then runs the foreign key checks its updates left pending, so that
the tables can be altered in the same transaction. The bounds are written here as they were when this migration was made (see
kenlabour/mobilisation/bounds.py); reversing the migration leaves the rows as they are.
"""

import datetime

import kenlabour.mobilisation.bounds
from django.conf import settings
from django.db import migrations, models

EARLIEST_DAY = datetime.date(2000, 1, 1)
LATEST_DAY = datetime.date(2099, 12, 31)
EARLIEST_MOMENT = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
LATEST_MOMENT = datetime.datetime(2099, 12, 31, 23, 59, 59, tzinfo=datetime.timezone.utc)

# model: [(field, lowest, highest)], None where there is no limit to bring a value to.
NUMBERS = {
    "itemtype": [("unit_cost_cents", 0, 10_000_000), ("position", 0, 1000)],
    "need": [("quantity", 1, 1_000_000), ("urgency", 1, 3)],
    "capacity": [("units_per_day", 0, 100_000), ("stock", 0, 1_000_000), ("max_km", 1, 1000)],
    "matchingrun": [("greedy_unit_km", 0, None), ("seconds", 0, None)],
    "assignment": [("units", 1, 1_000_000), ("km", 0, 1000)],
    "delivery": [
        ("planned_units", 1, 1_000_000),
        ("km", 0, 1000),
    ],
    "production": [("units", 1, 100_000)],
    "materialoffer": [("quantity", 1, 1_000_000)],
}
DAYS = {
    "campaign": ["starts_on", "ends_on"],
    "need": ["deadline"],
    "capacity": ["available_from", "available_until"],
    "delivery": ["declared_on"],
    "production": ["date"],
}
MOMENTS = {
    "need": ["submitted_at", "validated_at"],
    "capacity": ["created_at"],
    "matchingrun": ["created_at", "decided_at"],
    "delivery": ["confirmed_at", "resolved_at"],
    "production": ["created_at"],
    "materialoffer": ["created_at"],
}


def clamp_out_of_range_rows(apps, schema_editor):
    db = schema_editor.connection.alias

    def clamp(model_name, field, lowest, highest):
        rows = apps.get_model("mobilisation", model_name)._base_manager.using(db)
        if lowest is not None:
            rows.filter(**{f"{field}__lt": lowest}).update(**{field: lowest})
        if highest is not None:
            rows.filter(**{f"{field}__gt": highest}).update(**{field: highest})

    for model_name, fields in NUMBERS.items():
        for field, lowest, highest in fields:
            clamp(model_name, field, lowest, highest)
    for model_name, fields in DAYS.items():
        for field in fields:
            clamp(model_name, field, EARLIEST_DAY, LATEST_DAY)
    for model_name, fields in MOMENTS.items():
        for field in fields:
            clamp(model_name, field, EARLIEST_MOMENT, LATEST_MOMENT)
    # Declared and received units: the received figure first, since the database already
    # keeps it at most the declared one (planned units are within bounds by now).
    deliveries = apps.get_model("mobilisation", "delivery")._base_manager.using(db)
    clamp("delivery", "confirmed_units", None, 1_000_000)
    deliveries.filter(confirmed_units__gt=models.F("planned_units")).update(
        confirmed_units=models.F("planned_units")
    )
    clamp("delivery", "declared_units", 1, 1_000_000)
    deliveries.filter(declared_units__gt=models.F("planned_units")).update(
        declared_units=models.F("planned_units")
    )
    if schema_editor.connection.vendor == "postgresql":
        # A row updated twice in this transaction leaves its (deferred) foreign key checks
        # pending, and PostgreSQL alters no table with pending trigger events: run them now.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):

    dependencies = [
        ('mobilisation', '0001_initial'),
        ('network', '0004_organisation_kind_care'),
        ('territories', '0002_load_gazetteer'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(clamp_out_of_range_rows, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name='assignment',
            name='mobilisation_assignment_qty',
        ),
        migrations.RemoveConstraint(
            model_name='capacity',
            name='mobilisation_capacity_km',
        ),
        migrations.RemoveConstraint(
            model_name='delivery',
            name='mobilisation_delivery_planned',
        ),
        migrations.RemoveConstraint(
            model_name='materialoffer',
            name='mobilisation_material_qty',
        ),
        migrations.RemoveConstraint(
            model_name='need',
            name='mobilisation_need_qty',
        ),
        migrations.RemoveConstraint(
            model_name='production',
            name='mobilisation_production_qty',
        ),
        migrations.AlterField(
            model_name='assignment',
            name='km',
            field=models.FloatField(validators=[kenlabour.mobilisation.bounds.AtLeast(0, "Une distance n'est pas négative."), kenlabour.mobilisation.bounds.AtMost(1000, "Au plus %(max)s km : c'est le plus grand rayon de livraison.")], verbose_name='distance (km)'),
        ),
        migrations.AlterField(
            model_name='assignment',
            name='units',
            field=models.PositiveIntegerField(validators=[kenlabour.mobilisation.bounds.AtLeast(1, "Indiquez un nombre d'unités, 1 ou plus."), kenlabour.mobilisation.bounds.AtMost(1000000, 'Au plus %(max)s unités : vérifiez le nombre.')], verbose_name='unités'),
        ),
        migrations.AlterField(
            model_name='campaign',
            name='ends_on',
            field=models.DateField(blank=True, null=True, validators=[kenlabour.mobilisation.bounds.day_in_bounds], verbose_name='fin'),
        ),
        migrations.AlterField(
            model_name='campaign',
            name='starts_on',
            field=models.DateField(validators=[kenlabour.mobilisation.bounds.day_in_bounds], verbose_name='début'),
        ),
        migrations.AlterField(
            model_name='capacity',
            name='available_from',
            field=models.DateField(validators=[kenlabour.mobilisation.bounds.day_in_bounds], verbose_name='disponible du'),
        ),
        migrations.AlterField(
            model_name='capacity',
            name='available_until',
            field=models.DateField(validators=[kenlabour.mobilisation.bounds.day_in_bounds], verbose_name="disponible jusqu'au"),
        ),
        migrations.AlterField(
            model_name='capacity',
            name='max_km',
            field=models.PositiveIntegerField(help_text="Jusqu'où le producteur peut livrer lui-même ou faire livrer.", validators=[kenlabour.mobilisation.bounds.AtLeast(1, "Indiquez jusqu'à combien de kilomètres vous pouvez livrer (1 ou plus)."), kenlabour.mobilisation.bounds.AtMost(1000, "Au plus %(max)s km : au-delà, d'autres producteurs sont plus proches.")], verbose_name='distance de livraison maximale (km)'),
        ),
        migrations.AlterField(
            model_name='capacity',
            name='stock',
            field=models.PositiveIntegerField(default=0, validators=[kenlabour.mobilisation.bounds.AtLeast(0, 'Indiquez le stock disponible, 0 ou plus.'), kenlabour.mobilisation.bounds.AtMost(1000000, 'Au plus %(max)s unités en stock : vérifiez le nombre.')], verbose_name='stock disponible'),
        ),
        migrations.AlterField(
            model_name='capacity',
            name='units_per_day',
            field=models.PositiveIntegerField(validators=[kenlabour.mobilisation.bounds.AtLeast(0, "Indiquez un nombre d'unités par jour, 0 ou plus."), kenlabour.mobilisation.bounds.AtMost(100000, 'Au plus %(max)s unités par jour : vérifiez le nombre.')], verbose_name='unités par jour'),
        ),
        migrations.AlterField(
            model_name='delivery',
            name='confirmed_at',
            field=models.DateTimeField(blank=True, null=True, validators=[kenlabour.mobilisation.bounds.moment_in_bounds], verbose_name='réception confirmée le'),
        ),
        migrations.AlterField(
            model_name='delivery',
            name='confirmed_units',
            field=models.PositiveIntegerField(blank=True, null=True, validators=[kenlabour.mobilisation.bounds.AtLeast(0, "Indiquez le nombre d'unités reçues : un nombre entier, 0 si rien n'est arrivé."), kenlabour.mobilisation.bounds.AtMost(1000000, 'Au plus %(max)s unités : vérifiez le nombre.')], verbose_name='unités reçues'),
        ),
        migrations.AlterField(
            model_name='delivery',
            name='declared_on',
            field=models.DateField(blank=True, null=True, validators=[kenlabour.mobilisation.bounds.day_in_bounds], verbose_name='livré le'),
        ),
        migrations.AlterField(
            model_name='delivery',
            name='declared_units',
            field=models.PositiveIntegerField(blank=True, null=True, validators=[kenlabour.mobilisation.bounds.AtLeast(1, "Indiquez le nombre d'unités livrées (1 ou plus)."), kenlabour.mobilisation.bounds.AtMost(1000000, 'Au plus %(max)s unités : vérifiez le nombre.')], verbose_name='unités livrées'),
        ),
        migrations.AlterField(
            model_name='delivery',
            name='km',
            field=models.FloatField(default=0, validators=[kenlabour.mobilisation.bounds.AtLeast(0, "Une distance n'est pas négative."), kenlabour.mobilisation.bounds.AtMost(1000, "Au plus %(max)s km : c'est le plus grand rayon de livraison.")], verbose_name='distance (km)'),
        ),
        migrations.AlterField(
            model_name='delivery',
            name='planned_units',
            field=models.PositiveIntegerField(validators=[kenlabour.mobilisation.bounds.AtLeast(1, "Indiquez un nombre d'unités, 1 ou plus."), kenlabour.mobilisation.bounds.AtMost(1000000, 'Au plus %(max)s unités : vérifiez le nombre.')], verbose_name='unités prévues'),
        ),
        migrations.AlterField(
            model_name='delivery',
            name='resolved_at',
            field=models.DateTimeField(blank=True, null=True, validators=[kenlabour.mobilisation.bounds.moment_in_bounds], verbose_name='écart traité le'),
        ),
        migrations.AlterField(
            model_name='itemtype',
            name='position',
            field=models.PositiveSmallIntegerField(default=0, validators=[kenlabour.mobilisation.bounds.AtLeast(0, 'Une position est 0 ou plus.'), kenlabour.mobilisation.bounds.AtMost(1000, 'Au plus %(max)s : vérifiez la position.')]),
        ),
        migrations.AlterField(
            model_name='itemtype',
            name='unit_cost_cents',
            field=models.PositiveIntegerField(help_text='Sert au calcul des compensations par le financement.', validators=[kenlabour.mobilisation.bounds.AtLeast(0, "Un coût n'est pas négatif."), kenlabour.mobilisation.bounds.AtMost(10000000, 'Au plus %(max)s centimes par unité : vérifiez le coût.')], verbose_name='coût unitaire de référence (centimes)'),
        ),
        migrations.AlterField(
            model_name='matchingrun',
            name='decided_at',
            field=models.DateTimeField(blank=True, null=True, validators=[kenlabour.mobilisation.bounds.moment_in_bounds]),
        ),
        migrations.AlterField(
            model_name='matchingrun',
            name='greedy_unit_km',
            field=models.FloatField(default=0, validators=[kenlabour.mobilisation.bounds.AtLeast(0, "Ce nombre n'est pas négatif.")]),
        ),
        migrations.AlterField(
            model_name='matchingrun',
            name='seconds',
            field=models.FloatField(default=0, validators=[kenlabour.mobilisation.bounds.AtLeast(0, "Ce nombre n'est pas négatif.")]),
        ),
        migrations.AlterField(
            model_name='materialoffer',
            name='quantity',
            field=models.PositiveIntegerField(validators=[kenlabour.mobilisation.bounds.AtLeast(1, 'Indiquez une quantité (1 ou plus).'), kenlabour.mobilisation.bounds.AtMost(1000000, 'Au plus %(max)s : vérifiez la quantité.')], verbose_name='quantité'),
        ),
        migrations.AlterField(
            model_name='need',
            name='deadline',
            field=models.DateField(validators=[kenlabour.mobilisation.bounds.day_in_bounds], verbose_name='date limite'),
        ),
        migrations.AlterField(
            model_name='need',
            name='quantity',
            field=models.PositiveIntegerField(validators=[kenlabour.mobilisation.bounds.AtLeast(1, 'La quantité doit être un nombre entier positif, au moins 1.'), kenlabour.mobilisation.bounds.AtMost(1000000, "%(value)s unités dans un seul besoin, c'est plus que ce que la mobilisation peut traiter (%(max)s au plus) : vérifiez le nombre, ou découpez le besoin par site de livraison.")], verbose_name='quantité'),
        ),
        migrations.AlterField(
            model_name='need',
            name='validated_at',
            field=models.DateTimeField(blank=True, null=True, validators=[kenlabour.mobilisation.bounds.moment_in_bounds], verbose_name='validé le'),
        ),
        migrations.AlterField(
            model_name='production',
            name='date',
            field=models.DateField(validators=[kenlabour.mobilisation.bounds.day_in_bounds], verbose_name='date'),
        ),
        migrations.AlterField(
            model_name='production',
            name='units',
            field=models.PositiveIntegerField(validators=[kenlabour.mobilisation.bounds.AtLeast(1, "Indiquez le nombre d'unités produites (1 ou plus)."), kenlabour.mobilisation.bounds.AtMost(100000, 'Au plus %(max)s unités par déclaration : vérifiez le nombre, ou déclarez jour par jour.')], verbose_name='unités produites'),
        ),
        migrations.AddConstraint(
            model_name='assignment',
            constraint=models.CheckConstraint(condition=models.Q(('units__gte', 1), ('units__lte', 1000000)), name='mobilisation_assignment_qty', violation_error_message="Une ligne d'appariement compte entre 1 et 1 000 000 unités."),
        ),
        migrations.AddConstraint(
            model_name='assignment',
            constraint=models.CheckConstraint(condition=models.Q(('km__gte', 0), ('km__lte', 1000)), name='mobilisation_assignment_km_bounds', violation_error_message='Une distance de livraison est entre 0 et 1000 km.'),
        ),
        migrations.AddConstraint(
            model_name='campaign',
            constraint=models.CheckConstraint(condition=models.Q(('starts_on__gte', datetime.date(2000, 1, 1)), ('starts_on__lte', datetime.date(2099, 12, 31))), name='mobilisation_campaign_starts_on_bounds', violation_error_message='Une date de la mobilisation est entre 2000 et 2099.'),
        ),
        migrations.AddConstraint(
            model_name='campaign',
            constraint=models.CheckConstraint(condition=models.Q(('ends_on__isnull', True), models.Q(('ends_on__gte', datetime.date(2000, 1, 1)), ('ends_on__lte', datetime.date(2099, 12, 31))), _connector='OR'), name='mobilisation_campaign_ends_on_bounds', violation_error_message='Une date de la mobilisation est entre 2000 et 2099.'),
        ),
        migrations.AddConstraint(
            model_name='capacity',
            constraint=models.CheckConstraint(condition=models.Q(('available_from__gte', datetime.date(2000, 1, 1)), ('available_from__lte', datetime.date(2099, 12, 31))), name='mobilisation_capacity_available_from_bounds', violation_error_message='Une date de la mobilisation est entre 2000 et 2099.'),
        ),
        migrations.AddConstraint(
            model_name='capacity',
            constraint=models.CheckConstraint(condition=models.Q(('available_until__gte', datetime.date(2000, 1, 1)), ('available_until__lte', datetime.date(2099, 12, 31))), name='mobilisation_capacity_available_until_bounds', violation_error_message='Une date de la mobilisation est entre 2000 et 2099.'),
        ),
        migrations.AddConstraint(
            model_name='capacity',
            constraint=models.CheckConstraint(condition=models.Q(('max_km__gte', 1), ('max_km__lte', 1000)), name='mobilisation_capacity_km', violation_error_message='La distance de livraison maximale est entre 1 et 1000 km.'),
        ),
        migrations.AddConstraint(
            model_name='capacity',
            constraint=models.CheckConstraint(condition=models.Q(('units_per_day__gte', 0), ('units_per_day__lte', 100000)), name='mobilisation_capacity_units_per_day_bounds', violation_error_message='Les unités par jour sont entre 0 et 100 000.'),
        ),
        migrations.AddConstraint(
            model_name='capacity',
            constraint=models.CheckConstraint(condition=models.Q(('stock__gte', 0), ('stock__lte', 1000000)), name='mobilisation_capacity_stock_bounds', violation_error_message='Le stock est entre 0 et 1 000 000 unités.'),
        ),
        migrations.AddConstraint(
            model_name='capacity',
            constraint=models.CheckConstraint(condition=models.Q(('created_at__gte', datetime.datetime(2000, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)), ('created_at__lt', datetime.datetime(2100, 1, 1, 0, 0, tzinfo=datetime.timezone.utc))), name='mobilisation_capacity_created_at_bounds', violation_error_message='Une date de la mobilisation est entre 2000 et 2099.'),
        ),
        migrations.AddConstraint(
            model_name='delivery',
            constraint=models.CheckConstraint(condition=models.Q(('planned_units__gte', 1), ('planned_units__lte', 1000000)), name='mobilisation_delivery_planned', violation_error_message='Une livraison prévoit entre 1 et 1 000 000 unités.'),
        ),
        migrations.AddConstraint(
            model_name='delivery',
            constraint=models.CheckConstraint(condition=models.Q(('km__gte', 0), ('km__lte', 1000)), name='mobilisation_delivery_km_bounds', violation_error_message='Une distance de livraison est entre 0 et 1000 km.'),
        ),
        migrations.AddConstraint(
            model_name='delivery',
            constraint=models.CheckConstraint(condition=models.Q(('declared_units__isnull', True), models.Q(('declared_units__gte', 1), ('declared_units__lte', models.F('planned_units'))), _connector='OR'), name='mobilisation_delivery_declared_le_planned', violation_error_message='Une livraison déclare entre 1 unité et les unités prévues.'),
        ),
        migrations.AddConstraint(
            model_name='delivery',
            constraint=models.CheckConstraint(condition=models.Q(('declared_on__isnull', True), models.Q(('declared_on__gte', datetime.date(2000, 1, 1)), ('declared_on__lte', datetime.date(2099, 12, 31))), _connector='OR'), name='mobilisation_delivery_declared_on_bounds', violation_error_message='Une date de la mobilisation est entre 2000 et 2099.'),
        ),
        migrations.AddConstraint(
            model_name='delivery',
            constraint=models.CheckConstraint(condition=models.Q(('confirmed_at__isnull', True), models.Q(('confirmed_at__gte', datetime.datetime(2000, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)), ('confirmed_at__lt', datetime.datetime(2100, 1, 1, 0, 0, tzinfo=datetime.timezone.utc))), _connector='OR'), name='mobilisation_delivery_confirmed_at_bounds', violation_error_message='Une date de la mobilisation est entre 2000 et 2099.'),
        ),
        migrations.AddConstraint(
            model_name='delivery',
            constraint=models.CheckConstraint(condition=models.Q(('resolved_at__isnull', True), models.Q(('resolved_at__gte', datetime.datetime(2000, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)), ('resolved_at__lt', datetime.datetime(2100, 1, 1, 0, 0, tzinfo=datetime.timezone.utc))), _connector='OR'), name='mobilisation_delivery_resolved_at_bounds', violation_error_message='Une date de la mobilisation est entre 2000 et 2099.'),
        ),
        migrations.AddConstraint(
            model_name='itemtype',
            constraint=models.CheckConstraint(condition=models.Q(('unit_cost_cents__gte', 0), ('unit_cost_cents__lte', 10000000)), name='mobilisation_item_unit_cost_bounds', violation_error_message='Le coût unitaire de référence est entre 0 et 10 000 000 centimes.'),
        ),
        migrations.AddConstraint(
            model_name='itemtype',
            constraint=models.CheckConstraint(condition=models.Q(('position__gte', 0), ('position__lte', 1000)), name='mobilisation_item_position_bounds', violation_error_message="La position d'un article est entre 0 et 1000."),
        ),
        migrations.AddConstraint(
            model_name='matchingrun',
            constraint=models.CheckConstraint(condition=models.Q(('greedy_unit_km__gte', 0), ('seconds__gte', 0)), name='mobilisation_run_figures_bounds', violation_error_message="Les chiffres d'un appariement ne sont pas négatifs."),
        ),
        migrations.AddConstraint(
            model_name='matchingrun',
            constraint=models.CheckConstraint(condition=models.Q(('created_at__gte', datetime.datetime(2000, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)), ('created_at__lt', datetime.datetime(2100, 1, 1, 0, 0, tzinfo=datetime.timezone.utc))), name='mobilisation_run_created_at_bounds', violation_error_message='Une date de la mobilisation est entre 2000 et 2099.'),
        ),
        migrations.AddConstraint(
            model_name='matchingrun',
            constraint=models.CheckConstraint(condition=models.Q(('decided_at__isnull', True), models.Q(('decided_at__gte', datetime.datetime(2000, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)), ('decided_at__lt', datetime.datetime(2100, 1, 1, 0, 0, tzinfo=datetime.timezone.utc))), _connector='OR'), name='mobilisation_run_decided_at_bounds', violation_error_message='Une date de la mobilisation est entre 2000 et 2099.'),
        ),
        migrations.AddConstraint(
            model_name='materialoffer',
            constraint=models.CheckConstraint(condition=models.Q(('quantity__gte', 1), ('quantity__lte', 1000000)), name='mobilisation_material_qty', violation_error_message='Une demande ou un don de matière compte entre 1 et 1 000 000.'),
        ),
        migrations.AddConstraint(
            model_name='materialoffer',
            constraint=models.CheckConstraint(condition=models.Q(('created_at__gte', datetime.datetime(2000, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)), ('created_at__lt', datetime.datetime(2100, 1, 1, 0, 0, tzinfo=datetime.timezone.utc))), name='mobilisation_material_created_at_bounds', violation_error_message='Une date de la mobilisation est entre 2000 et 2099.'),
        ),
        migrations.AddConstraint(
            model_name='need',
            constraint=models.CheckConstraint(condition=models.Q(('quantity__gte', 1), ('quantity__lte', 1000000)), name='mobilisation_need_qty', violation_error_message="La quantité d'un besoin est entre 1 et 1 000 000 unités."),
        ),
        migrations.AddConstraint(
            model_name='need',
            constraint=models.CheckConstraint(condition=models.Q(('deadline__gte', datetime.date(2000, 1, 1)), ('deadline__lte', datetime.date(2099, 12, 31))), name='mobilisation_need_deadline_bounds', violation_error_message='Une date de la mobilisation est entre 2000 et 2099.'),
        ),
        migrations.AddConstraint(
            model_name='need',
            constraint=models.CheckConstraint(condition=models.Q(('urgency__in', [1, 2, 3])), name='mobilisation_need_urgency', violation_error_message="Choisissez le degré d'urgence."),
        ),
        migrations.AddConstraint(
            model_name='need',
            constraint=models.CheckConstraint(condition=models.Q(('submitted_at__gte', datetime.datetime(2000, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)), ('submitted_at__lt', datetime.datetime(2100, 1, 1, 0, 0, tzinfo=datetime.timezone.utc))), name='mobilisation_need_submitted_at_bounds', violation_error_message='Une date de la mobilisation est entre 2000 et 2099.'),
        ),
        migrations.AddConstraint(
            model_name='need',
            constraint=models.CheckConstraint(condition=models.Q(('validated_at__isnull', True), models.Q(('validated_at__gte', datetime.datetime(2000, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)), ('validated_at__lt', datetime.datetime(2100, 1, 1, 0, 0, tzinfo=datetime.timezone.utc))), _connector='OR'), name='mobilisation_need_validated_at_bounds', violation_error_message='Une date de la mobilisation est entre 2000 et 2099.'),
        ),
        migrations.AddConstraint(
            model_name='production',
            constraint=models.CheckConstraint(condition=models.Q(('units__gte', 1), ('units__lte', 100000)), name='mobilisation_production_qty', violation_error_message='Une déclaration de production compte entre 1 et 100 000 unités.'),
        ),
        migrations.AddConstraint(
            model_name='production',
            constraint=models.CheckConstraint(condition=models.Q(('date__gte', datetime.date(2000, 1, 1)), ('date__lte', datetime.date(2099, 12, 31))), name='mobilisation_production_date_bounds', violation_error_message='Une date de la mobilisation est entre 2000 et 2099.'),
        ),
        migrations.AddConstraint(
            model_name='production',
            constraint=models.CheckConstraint(condition=models.Q(('created_at__gte', datetime.datetime(2000, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)), ('created_at__lt', datetime.datetime(2100, 1, 1, 0, 0, tzinfo=datetime.timezone.utc))), name='mobilisation_production_created_at_bounds', violation_error_message='Une date de la mobilisation est entre 2000 et 2099.'),
        ),
        migrations.AlterConstraint(
            model_name='campaign',
            name='mobilisation_campaign_dates',
            constraint=models.CheckConstraint(condition=models.Q(('ends_on__isnull', True), ('ends_on__gte', models.F('starts_on')), _connector='OR'), name='mobilisation_campaign_dates', violation_error_message='La fin de la mobilisation est avant son début.'),
        ),
        migrations.AlterConstraint(
            model_name='capacity',
            name='mobilisation_capacity_window',
            constraint=models.CheckConstraint(condition=models.Q(('available_until__gte', models.F('available_from'))), name='mobilisation_capacity_window', violation_error_message='La fin de la disponibilité est avant son début.'),
        ),
        migrations.AlterConstraint(
            model_name='delivery',
            name='mobilisation_delivery_confirmed_le_declared',
            constraint=models.CheckConstraint(condition=models.Q(('confirmed_units__isnull', True), models.Q(('confirmed_units__lte', models.F('declared_units')), ('declared_units__isnull', False)), _connector='OR'), name='mobilisation_delivery_confirmed_le_declared', violation_error_message="On ne confirme pas plus d'unités que le producteur n'en a déclaré."),
        ),
    ]
