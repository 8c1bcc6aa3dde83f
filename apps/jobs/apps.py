from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "apps.jobs"
    label = "jobs"

    def ready(self):
        from apps.jobs import recovery  # noqa: F401 - connects the worker_ready handler
