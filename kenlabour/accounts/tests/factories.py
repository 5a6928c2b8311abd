import factory

from kenlabour.accounts.models import User

PASSWORD = "un mot de passe solide"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.bzh")
    display_name = factory.Faker("name", locale="fr_FR")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def user_with_role(role: str = "") -> User:
    """A user holding `role` platform-wide (no role when empty)."""
    from kenlabour.accounts.models import RoleAssignment

    user = UserFactory()
    if role:
        RoleAssignment.objects.create(user=user, role=role)
    return user
