"""Template tags of the contributions pages, usable by other apps' templates.

`{% load network_contributions %}{% my_actors %}` lists the organisations and collectives
the logged-in person administers, with links to register another one: the account page
shows it."""

from django import template

from kenlabour.network.selectors import actors as selectors

register = template.Library()


@register.inclusion_tag("network/contributions/_my_actors.html", takes_context=True)
def my_actors(context):
    user = context["user"]
    return {"actors": selectors.administered_actors(user), "user": user}
