from control_plane_fixtures import make_group, make_version, vendor  # noqa: F401
