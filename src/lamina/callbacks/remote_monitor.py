"""`RemoteMonitor`: POST each epoch's logs as JSON to a server (with urllib, no `requests`)."""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import warnings
from collections.abc import Mapping

import numpy as np
import torch

from lamina.callbacks.base import Callback

__all__ = ["RemoteMonitor"]


def _plain(value):
    """A log value as JSON can hold it: tensors and NumPy scalars unwrapped."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy().item() if value.numel() == 1 else value.tolist()
    if isinstance(value, (np.ndarray, np.generic)):
        return value.item()
    return value


class RemoteMonitor(Callback):
    """Streams events to a server: at each epoch's end, an HTTP POST of `{"epoch", **logs}`.

    The body is the JSON (`send_as_json=True`, content type `application/json`), or a form
    whose `field` holds it. A server that cannot be reached gives a warning, not an error.

    Args:
        root: Root URL of the server. Defaults to 'http://localhost:9000'.
        path: Path relative to `root` the events go to. Defaults to '/publish/epoch/end/'.
        field: The form field holding the JSON (when `send_as_json` is False).
        headers: Optional dict of extra HTTP headers.
        send_as_json: Send the JSON itself as the body.

    Example:
        >>> monitor = RemoteMonitor(root="http://localhost:9000", send_as_json=True)
        >>> monitor.root + monitor.path
        'http://localhost:9000/publish/epoch/end/'
    """

    def __init__(self, root: str = "http://localhost:9000", path: str = "/publish/epoch/end/",
                 field: str = "data", headers: Mapping | None = None,
                 send_as_json: bool = False) -> None:
        super().__init__()
        self.root = root
        self.path = path
        self.field = field
        self.headers = headers
        self.send_as_json = send_as_json

    def on_epoch_end(self, epoch: int, logs: Mapping | None = None) -> None:
        send = {"epoch": epoch}
        send.update({key: _plain(value) for key, value in (logs or {}).items()})
        if self.send_as_json:
            body, content_type = json.dumps(send).encode("utf-8"), "application/json"
        else:
            body = urllib.parse.urlencode({self.field: json.dumps(send)}).encode("utf-8")
            content_type = "application/x-www-form-urlencoded"
        headers = {"Content-Type": content_type, **dict(self.headers or {})}
        request = urllib.request.Request(self.root + self.path, data=body, headers=headers,
                                         method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10):
                pass
        except urllib.error.HTTPError:
            pass  # the server answered (with an error status): requests would not raise either
        except (urllib.error.URLError, OSError, ValueError):
            warnings.warn(f"Could not reach RemoteMonitor root server at {self.root}",
                          stacklevel=2)
