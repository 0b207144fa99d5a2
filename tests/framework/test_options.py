import pytest

from ganzoo.errors import GanzooError
from ganzoo.options import check_config, options, parse_assignments
from ganzoo.registry import get_plugin


def dcgan_class():
    return get_plugin("dcgan").model_class


def test_options_come_from_the_constructor_and_docstring():
    opts = {o.name: o for o in options(dcgan_class())}
    assert opts["generator_filters"].default == 64
    assert "filters" in opts["generator_filters"].help
    assert opts["image_shape"].default == (28, 28, 1)
    assert "name" not in opts and "dtype" not in opts


def test_set_values_are_converted_to_the_option_types():
    values = parse_assignments(["generator-filters=16", "learning_rate=1e-3", "image_shape=32x32x3"])
    config = check_config(dcgan_class(), values, plugin="dcgan")
    assert config == {"generator_filters": 16, "learning_rate": 0.001, "image_shape": (32, 32, 3)}


@pytest.mark.parametrize("pair,message", [
    ("generator_filters=many", "generator_filters='many' of plugin 'dcgan' is not a valid int"),
    ("colour=blue", "unknown option\\(s\\) colour for plugin 'dcgan'; valid options: image_shape"),
])
def test_bad_values_are_one_line_errors(pair, message):
    with pytest.raises(GanzooError, match=message):
        check_config(dcgan_class(), parse_assignments([pair]), plugin="dcgan")


def test_assignment_without_equals_sign():
    with pytest.raises(GanzooError, match=r"--set takes NAME=VALUE, got .generator_filters. \(write --set generator_filters=VALUE\)"):
        parse_assignments(["generator_filters"])


@pytest.mark.parametrize("plugin,key,value,message", [
    ("dcgan", "latent_dim", "0", "latent_dim=0 of plugin 'dcgan' is out of range: it must be >= 1"),
    ("dcgan", "latent_dim", "-5", "latent_dim=-5"),
    ("dcgan", "learning_rate", "nan", "learning_rate=nan of plugin 'dcgan' is out of range: it must be > 0.0"),
    ("dcgan", "learning_rate", "-1e-4", "must be > 0.0"),
    ("dcgan", "learning_rate", "0", "must be > 0.0"),
    ("vanilla", "dropout", "1.5", "dropout=1.5 of plugin 'vanilla' is out of range: it must be in [0.0, 1.0]"),
    ("cyclegan", "pool_size", "-1", "pool_size=-1"),
])
def test_values_are_checked_at_the_door(plugin, key, value, message):
    from ganzoo.options import check_config
    from ganzoo.registry import get_plugin

    with pytest.raises(GanzooError) as info:
        check_config(get_plugin(plugin).model_class, {key: value}, plugin=plugin)
    assert message in str(info.value)
