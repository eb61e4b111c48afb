"""Callbacks: hooks into `fit`, `evaluate` and `predict` (`keras.callbacks`).

Example:
    >>> import lamina as keras
    >>> stopper = keras.callbacks.EarlyStopping(monitor="val_loss", patience=2)
    >>> stopper.patience
    2
"""
from lamina.callbacks.backup_and_restore import BackupAndRestore
from lamina.callbacks.base import Callback
from lamina.callbacks.callback_list import CallbackList
from lamina.callbacks.csv_logger import CSVLogger
from lamina.callbacks.diagnose import Diagnose
from lamina.callbacks.early_stopping import EarlyStopping
from lamina.callbacks.history import History
from lamina.callbacks.lambda_callback import LambdaCallback
from lamina.callbacks.learning_rate_scheduler import LearningRateScheduler
from lamina.callbacks.model_checkpoint import ModelCheckpoint
from lamina.callbacks.progbar_logger import ProgbarLogger
from lamina.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau
from lamina.callbacks.remote_monitor import RemoteMonitor
from lamina.callbacks.swap_ema_weights import SwapEMAWeights
from lamina.callbacks.tensorboard import TensorBoard
from lamina.callbacks.terminate_on_nan import TerminateOnNaN

__all__ = [
    "BackupAndRestore", "CSVLogger", "Callback", "CallbackList", "Diagnose", "EarlyStopping",
    "History", "LambdaCallback", "LearningRateScheduler", "ModelCheckpoint", "ProgbarLogger",
    "ReduceLROnPlateau", "SwapEMAWeights", "TensorBoard", "TerminateOnNaN",
]
__all__ += ["RemoteMonitor"]

