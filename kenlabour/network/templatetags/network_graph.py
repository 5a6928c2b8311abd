"""Template tags of the acquaintance graph: the "who could help" form of an actor's page."""

from django import template

from kenlabour.network.forms import DEFAULT_RADIUS_KM, WhoCouldHelpForm

register = template.Library()


@register.inclusion_tag("network/_who_could_help_form.html", takes_context=True)
def who_could_help_form(context, actor):
    """An unbound "who could help" form starting from `actor` (no database query): its
    commune is asked only when the actor has none (a place-less collective)."""
    form = WhoCouldHelpForm(
        user=context.get("user"),
        initial={"acteur": actor.slug, "rayon": DEFAULT_RADIUS_KM},
        auto_id="qui-peut-aider-%s",
    )
    return {"form": form, "needs_commune": not actor.commune_id}
