from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "agora.ledger"
    label = "ledger"
    verbose_name = _("Public ledger")

    def ready(self) -> None:
        from agora.core import demo as core_demo
        from agora.core import modules, official_actions
        from agora.ledger import demo, selectors, services, tasks  # noqa: F401  tasks: the schedule

        official_actions.register_recorder(services.ledger_record)
        core_demo.register("public ledger", demo.load, order=20)

        modules.register(
            modules.Module(
                key="ledger",
                title=_("Public ledger"),
                description=_(
                    "Every action taken for a public body, in a log that nobody can rewrite "
                    "unnoticed — and that anyone can verify."
                ),
                url_name="ledger:entry_list",
                count=selectors.ledger_size,
                count_label=_("recorded actions"),
                order=90,
            )
        )
