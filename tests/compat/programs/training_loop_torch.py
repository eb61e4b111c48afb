"""Writing a training loop from scratch in PyTorch (the Keras guide), with Keras' pieces."""
import numpy as np
import torch

import lamina as keras
from lamina import layers


def get_model():
    inputs = keras.Input(shape=(64,), name="digits")
    x1 = layers.Dense(64, activation="relu")(inputs)
    x2 = layers.Dense(64, activation="relu")(x1)
    outputs = layers.Dense(10, name="predictions")(x2)
    return keras.Model(inputs=inputs, outputs=outputs)


# Ten classes of 8x8 "digits": noisy copies of ten fixed patterns.
rng = np.random.default_rng(0)
patterns = rng.random((10, 64)).astype("float32")
labels = rng.integers(0, 10, size=2048)
x_all = (patterns[labels] + 0.3 * rng.normal(size=(2048, 64))).astype("float32")
y_all = keras.utils.to_categorical(labels, 10)
x_train, y_train = x_all[:1536], y_all[:1536]
x_val, y_val = x_all[1536:], y_all[1536:]

batch_size = 64
train_dataset = torch.utils.data.TensorDataset(torch.from_numpy(x_train),
                                               torch.from_numpy(y_train))
val_dataset = torch.utils.data.TensorDataset(torch.from_numpy(x_val), torch.from_numpy(y_val))
train_dataloader = torch.utils.data.DataLoader(train_dataset, batch_size=batch_size,
                                               shuffle=True)
val_dataloader = torch.utils.data.DataLoader(val_dataset, batch_size=batch_size, shuffle=False)

model = get_model()
optimizer = keras.optimizers.Adam(learning_rate=1e-3)
loss_fn = keras.losses.CategoricalCrossentropy(from_logits=True)

epochs = 3
epoch_losses = []
for epoch in range(epochs):
    for step, (inputs, targets) in enumerate(train_dataloader):
        # Forward pass.
        logits = model(inputs)
        loss = loss_fn(targets, logits)
        # Backward pass.
        model.zero_grad()
        loss.backward()
        # Optimizer variable updates.
        trainable_weights = [v for v in model.trainable_weights]
        gradients = [v.value.grad for v in trainable_weights]
        with torch.no_grad():
            optimizer.apply(gradients, trainable_weights)
    epoch_losses.append(float(loss.detach()))
steps_per_epoch = step + 1
optimizer_iterations = int(optimizer.iterations)
optimizer_variable_count = len(optimizer.variables)

# The same loop with a metric, and with a torch optimizer stepping the same weights.
model = get_model()
optimizer = keras.optimizers.Adam(learning_rate=1e-3)
train_acc_metric = keras.metrics.CategoricalAccuracy()
val_acc_metric = keras.metrics.CategoricalAccuracy()
train_accuracies, val_accuracies = [], []
for epoch in range(epochs):
    for step, (inputs, targets) in enumerate(train_dataloader):
        logits = model(inputs)
        loss = loss_fn(targets, logits)
        model.zero_grad()
        loss.backward()
        trainable_weights = [v for v in model.trainable_weights]
        gradients = [v.value.grad for v in trainable_weights]
        with torch.no_grad():
            optimizer.apply(gradients, trainable_weights)
        train_acc_metric.update_state(targets, logits)
    train_accuracies.append(float(train_acc_metric.result()))
    train_acc_metric.reset_state()
    for x_batch_val, y_batch_val in val_dataloader:
        val_logits = model(x_batch_val, training=False)
        val_acc_metric.update_state(y_batch_val, val_logits)
    val_accuracies.append(float(val_acc_metric.result()))
    val_acc_metric.reset_state()
metric_after_reset = float(val_acc_metric.result())

# apply_gradients takes (gradient, variable) pairs, as TF-2 code writes it.
model = get_model()
optimizer = keras.optimizers.SGD(learning_rate=0.1)
before = [w.copy() for w in model.get_weights()]
inputs, targets = next(iter(train_dataloader))
loss = loss_fn(targets, model(inputs, training=True))
model.zero_grad()
loss.backward()
grads = [v.value.grad for v in model.trainable_weights]
with torch.no_grad():
    optimizer.apply_gradients(zip(grads, model.trainable_weights))
after = model.get_weights()
sgd_step_matches = all(
    np.allclose(a, b - 0.1 * g.detach().cpu().numpy(), atol=1e-6)
    for a, b, g in zip(after, before, grads))
sgd_iterations = int(optimizer.iterations)

# Regularization losses from model.losses join the loss, as in the guide's last section.
class ActivityRegularizationLayer(layers.Layer):
    def call(self, inputs):
        self.add_loss(1e-2 * torch.sum(inputs))
        return inputs


inputs = keras.Input(shape=(64,), name="digits")
x = layers.Dense(64, activation="relu")(inputs)
x = ActivityRegularizationLayer()(x)
x = layers.Dense(64, activation="relu", kernel_regularizer=keras.regularizers.L2(1e-4))(x)
outputs = layers.Dense(10, name="predictions")(x)
model = keras.Model(inputs=inputs, outputs=outputs)
optimizer = keras.optimizers.Adam(learning_rate=1e-3)
regularized_losses = []
for step, (inputs, targets) in enumerate(train_dataloader):
    logits = model(inputs, training=True)
    loss = loss_fn(targets, logits)
    loss = loss + sum(model.losses)
    model.zero_grad()
    loss.backward()
    trainable_weights = [v for v in model.trainable_weights]
    gradients = [v.value.grad for v in trainable_weights]
    with torch.no_grad():
        optimizer.apply(gradients, trainable_weights)
    regularized_losses.append(float(loss.detach()))
model_loss_count = len(model.losses)
