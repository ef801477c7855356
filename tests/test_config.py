import pytest

from helpdesk import create_app
from tests.conftest import SECRET


def test_production_refuses_sample_secret(tmp_path, monkeypatch, schema):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": schema, "SECRET_KEY": "dev"})


def test_production_refuses_missing_secret(tmp_path, monkeypatch, schema):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": schema, "SECRET_KEY": ""})


def test_layers_defaults_then_instance_file_then_environment(tmp_path, monkeypatch, schema):
    (tmp_path / "config.py").write_text(
        f'SECRET_KEY = "{SECRET}"\nHEARTBEAT_STALE_SECONDS = 77\nHELPDESK_PLUGINS = ["nope"]\n'
    )
    monkeypatch.setenv("HELPDESK_PLUGINS", " ")  # blank environment values do not override
    monkeypatch.setenv("DATABASE_URL", schema)
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("SECRET_KEY", SECRET + "-from-env")
    overrides = {"INSTANCE_PATH": str(tmp_path), "HELPDESK_PLUGINS": []}
    app = create_app(overrides)
    assert app.config["HEARTBEAT_STALE_SECONDS"] == 77  # from the instance file
    assert app.config["SECRET_KEY"] == SECRET + "-from-env"  # environment beats the file
    assert app.config["DATABASE_URL"] == schema
    assert app.config["HELPDESK_PLUGINS"] == []  # the caller's overrides beat everything
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == "Europe/Vienna"  # a default


def test_plugin_list_from_environment_is_split(tmp_path, monkeypatch, schema):
    monkeypatch.setenv("HELPDESK_PLUGINS", "alpha, beta")
    monkeypatch.delenv("REDIS_URL", raising=False)
    with pytest.raises(RuntimeError, match="alpha, beta"):
        create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": schema, "TESTING": True})


def test_instance_setup_writes_a_random_secret_once(tmp_path):
    from helpdesk import instance

    path = instance.ensure(tmp_path / "inst")
    first = path.read_text()
    assert "SECRET_KEY" in first and "dev" not in first.split("SECRET_KEY = ")[1][:10]
    instance.ensure(tmp_path / "inst")
    assert path.read_text() == first
    assert instance.ensure(tmp_path / "other").read_text() != first
