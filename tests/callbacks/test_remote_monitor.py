"""RemoteMonitor posts each epoch's logs to a local http.server, as JSON or as a form field."""
import http.server
import json
import threading
import urllib.parse

import numpy as np
import pytest

import lamina


class _Recorder(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((self.path, dict(self.headers), body.decode("utf-8")))
        self.send_response(200 if self.path != "/broken/" else 500)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    httpd.received = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def _root(httpd):
    return f"http://127.0.0.1:{httpd.server_address[1]}"


def _fit(callback, epochs=2):
    rng = np.random.default_rng(0)
    model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    model.fit(rng.random((8, 3)), rng.random((8, 1)), epochs=epochs, verbose=0,
              callbacks=[callback])


def test_posts_epoch_logs_as_json(server):
    monitor = lamina.callbacks.RemoteMonitor(root=_root(server), send_as_json=True,
                                             headers={"X-Run": "7"})
    _fit(monitor)
    assert [path for path, _, _ in server.received] == ["/publish/epoch/end/"] * 2
    _, headers, body = server.received[1]
    assert headers["Content-Type"] == "application/json" and headers["X-Run"] == "7"
    sent = json.loads(body)
    assert sent["epoch"] == 1 and set(sent) == {"epoch", "loss", "mae"}
    assert isinstance(sent["loss"], float)


def test_posts_a_form_field_by_default(server):
    monitor = lamina.callbacks.RemoteMonitor(root=_root(server), path="/events/", field="payload")
    monitor.on_epoch_end(3, {"loss": np.float32(0.5), "accuracy": np.array(0.25)})
    path, headers, body = server.received[0]
    assert path == "/events/"
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    form = urllib.parse.parse_qs(body)
    assert json.loads(form["payload"][0]) == {"epoch": 3, "loss": 0.5, "accuracy": 0.25}


def test_error_status_is_ignored_and_unreachable_server_warns(server):
    lamina.callbacks.RemoteMonitor(root=_root(server), path="/broken/").on_epoch_end(0, {})
    assert len(server.received) == 1
    with pytest.warns(UserWarning, match="Could not reach RemoteMonitor root server at "
                                         "http://127.0.0.1:9"):
        lamina.callbacks.RemoteMonitor(root="http://127.0.0.1:9").on_epoch_end(0, {})
