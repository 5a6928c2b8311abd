from django.conf import settings

from kenlabour.web.branding import theme_version


def platform(request):
    return {
        "platform_name": settings.PLATFORM_NAME,
        "platform_tagline": settings.PLATFORM_TAGLINE,
        "platform_logo": settings.PLATFORM_LOGO,
        "platform_contact_email": settings.PLATFORM_CONTACT_EMAIL,
        "platform_publisher": settings.PLATFORM_PUBLISHER,
        "theme_version": theme_version(),
    }
