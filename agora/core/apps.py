from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "agora.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from agora.core import task_log, tasks  # noqa: F401  tasks registers its schedules

        task_log.connect()
