from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "agora.accounts"
    label = "accounts"
    verbose_name = _("Accounts and organisations")

    def ready(self) -> None:
        from agora.accounts import demo, search, selectors  # noqa: F401  search registers organisations
        from agora.core import demo as core_demo
        from agora.core import modules, personal_data

        modules.register(
            modules.Module(
                key="organisations",
                title=_("Organisations"),
                description=_(
                    "Public bodies, oversight bodies, civil society, companies and media, with their members."
                ),
                url_name="accounts:organisation_list",
                count=lambda: sum(selectors.organisation_counts_by_kind().values()),
                count_label=_("organisations"),
                order=10,
            )
        )
        personal_data.register("accounts", exporter=selectors.user_personal_data)
        core_demo.register("organisations and people", demo.load, order=10)
