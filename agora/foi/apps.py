from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FoiConfig(AppConfig):
    name = "agora.foi"
    label = "foi"
    verbose_name = _("Access to information")

    def ready(self) -> None:
        from agora.core import demo as core_demo
        from agora.core import modules, personal_data
        from agora.foi import demo, directory, search, selectors, services, tasks  # noqa: F401  registers search and clocks

        # Before the ledger's demo, which signs a checkpoint over every action so far.
        core_demo.register("access to information", demo.load, order=17)

        modules.register(
            modules.Module(
                key="foi",
                title=_("Access to information"),
                description=_(
                    "Ask a public body for information; the legal clock, reminders and appeals "
                    "to the oversight body run by themselves, and every answer is public."
                ),
                url_name="foi:request_list",
                count=selectors.public_request_count,
                count_label=_("requests"),
                order=30,
            )
        )
        modules.register_organisation_link(directory.organisation_link)
        personal_data.register(
            "information_requests",
            exporter=selectors.user_personal_data,
            eraser=services.user_erase,
        )
