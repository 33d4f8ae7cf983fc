from django.apps import AppConfig


class ChildrenConfig(AppConfig):
    name = "harbour.children"
    verbose_name = "Children"
