"""Fixtures for the application tests."""
import pytest
import torch


@pytest.fixture
def quick_truncated_normal(monkeypatch):
    """Clipped normals in place of torch's rejection-sampled truncated normal (the he_normal
    and truncated-normal kernels of EfficientNet and NASNet), which takes most of a build's
    time on two cores; for tests that look at shapes, or set the weights themselves."""
    def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
        with torch.no_grad():
            return tensor.normal_(mean, std, generator=generator).clamp_(a, b)

    monkeypatch.setattr(torch.nn.init, "trunc_normal_", trunc_normal_)
