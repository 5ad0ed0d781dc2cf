from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "agora.catalog"
    label = "catalog"
    verbose_name = _("Open data catalog")

    def ready(self) -> None:
        from agora.catalog import demo, search, selectors  # noqa: F401  search registers datasets
        from agora.core import demo as core_demo
        from agora.core import modules, personal_data
        from agora.core.uploads import register_upload_path

        register_upload_path(r"^/datasets/[-\w]+/resources/")
        register_upload_path(r"^/api/v1/datasets/[-\w]+/resources")
        personal_data.register("data_requests", exporter=selectors.user_personal_data)
        # Before the ledger's demo, which signs a checkpoint over every action so far.
        core_demo.register("open data catalog", demo.load, order=15)
        modules.register(
            modules.Module(
                key="datasets",
                title=_("Open data"),
                description=_(
                    "Datasets published by public bodies, in open formats, with their licence "
                    "and every version of every file."
                ),
                url_name="catalog:dataset_list",
                count=selectors.dataset_count,
                count_label=_("datasets"),
                order=20,
            )
        )
