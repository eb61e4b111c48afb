"""A user's learning-rate schedule (registered, or given in custom_objects) and a plain
function as the learning rate serialize in Keras' form and reload with the model."""
import numpy as np

import lamina as keras


@keras.saving.register_keras_serializable(package="tests")
class WarmUp(keras.optimizers.schedules.LearningRateSchedule):
    def __init__(self, peak):
        self.peak = peak

    def __call__(self, step):
        return self.peak

    def get_config(self):
        return {"peak": self.peak}


class Constant(WarmUp):  # not registered: found through custom_objects
    pass


def lr_function():
    return 0.01


def _trained(optimizer):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer, "mse")
    model.fit(np.ones((4, 3), "float32"), np.ones((4, 1), "float32"), verbose=0)
    return model


def test_a_registered_schedule_serializes_in_keras_form():
    assert keras.optimizers.schedules.serialize(WarmUp(0.2)) == {
        "module": None, "class_name": "WarmUp", "config": {"peak": 0.2},
        "registered_name": "tests>WarmUp"}


def test_schedules_reload_with_the_model(tmp_path):
    for schedule, custom_objects in ((WarmUp(0.01), None), (Constant(0.01), {"Constant": Constant})):
        _trained(keras.optimizers.Adam(schedule)).save(tmp_path / "m.keras")
        loaded = keras.saving.load_model(tmp_path / "m.keras", custom_objects=custom_objects)
        assert type(loaded.optimizer._learning_rate) is type(schedule)
        assert loaded.optimizer._learning_rate.peak == 0.01


def test_a_learning_rate_function_reloads_through_custom_objects(tmp_path):
    optimizer = keras.optimizers.SGD(lr_function)
    assert optimizer.get_config()["learning_rate"] == {
        "module": "builtins", "class_name": "function", "config": "lr_function",
        "registered_name": "function"}
    _trained(optimizer).save(tmp_path / "f.keras")
    loaded = keras.saving.load_model(tmp_path / "f.keras", custom_objects={"lr_function": lr_function})
    assert loaded.optimizer._learning_rate is lr_function
