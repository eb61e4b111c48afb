"""Recurrent layers: RNN and its cells, SimpleRNN, LSTM, GRU, Bidirectional, TimeDistributed, ConvLSTM2D."""
from lamina.layers.rnn.bidirectional import Bidirectional
from lamina.layers.rnn.conv_lstm1d import ConvLSTM1D
from lamina.layers.rnn.conv_lstm2d import ConvLSTM2D, ConvLSTM2DCell
from lamina.layers.rnn.conv_lstm3d import ConvLSTM3D
from lamina.layers.rnn.gru import GRU, GRUCell
from lamina.layers.rnn.lstm import LSTM, LSTMCell
from lamina.layers.rnn.rnn import RNN
from lamina.layers.rnn.simple_rnn import SimpleRNN, SimpleRNNCell
from lamina.layers.rnn.stacked_rnn_cells import StackedRNNCells
from lamina.layers.rnn.time_distributed import TimeDistributed

__all__ = ["Bidirectional", "ConvLSTM2D", "ConvLSTM2DCell", "GRU", "GRUCell", "LSTM", "LSTMCell",
           "RNN", "SimpleRNN", "SimpleRNNCell", "StackedRNNCells", "TimeDistributed"]
__all__ += ["ConvLSTM1D", "ConvLSTM3D"]
