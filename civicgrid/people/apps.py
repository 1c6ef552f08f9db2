from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _keys_follow_move(unit, old_code: str, new_code: str) -> None:
    """Search keys repeat their person's unit code; a moved subtree takes them along."""
    from civicgrid.org.services import recode
    from civicgrid.people.models import PersonKey

    recode(PersonKey, old_code, new_code)


class PeopleConfig(AppConfig):
    name = "civicgrid.people"
    verbose_name = _("Basic data")

    def ready(self) -> None:
        from civicgrid.core import demo, erasure
        from civicgrid.org import services
        from civicgrid.people import erasure as people

        if _keys_follow_move not in services.subtree_moved_hooks:
            services.subtree_moved_hooks.append(_keys_follow_move)
        erasure.register("people.PersonKey", people.erase_keys)
        erasure.register("people.PersonStep", people.erase_steps)
        erasure.register("people.Person", people.erase_person, order=people.PERSON_LAST)
        demo.register("people", "civicgrid.people.demo.demo_part", after=["org"])
