"""The login listener: a login from a new device goes to the audit log."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver


@receiver(user_logged_in, dispatch_uid="kenlabour.audit.login")
def on_login(sender, request, user, **kwargs):
    from axes.helpers import get_client_ip_address

    from kenlabour.audit import services

    meta = getattr(request, "META", None)
    if meta is None:
        return
    services.record_login(
        user,
        user_agent=str(meta.get("HTTP_USER_AGENT", ""))[:500],
        address=get_client_ip_address(request) or "",
    )
