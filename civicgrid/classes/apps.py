from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClassesConfig(AppConfig):
    name = "civicgrid.classes"
    verbose_name = _("Classes")

    def ready(self) -> None:
        from civicgrid.classes import erasure as classes
        from civicgrid.core import demo, erasure

        erasure.register("classes.Enrolment", classes.erase_enrolments)
        erasure.register("classes.Teacher", classes.erase_teachers)
        # Before the supports go: the first support tells who proposed a topic.
        erasure.register("classes.TopicRequest", classes.erase_topic_proposals, order=-1)
        erasure.register("classes.TopicSupport", classes.erase_topic_supports)
        # Its party members are made from the demo's residents.
        demo.register("classes", "civicgrid.classes.demo.demo_part", after=["people"])
