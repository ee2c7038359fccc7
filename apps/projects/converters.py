from .middleware import project_key_from_path


class ProjectKeyConverter:
    """`<project:project>` in URL patterns: any first segment that can name a project, so global
    routes such as `/server/...` never match a project route."""

    regex = "[^/]+"

    def to_python(self, value: str) -> str:
        if project_key_from_path(value) != value:
            raise ValueError(value)
        return value

    def to_url(self, value: str) -> str:
        return value
