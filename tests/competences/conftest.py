from care_fixtures import world  # noqa: F401
