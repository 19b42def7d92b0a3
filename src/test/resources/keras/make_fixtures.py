#!/usr/bin/env python3
"""Writes small Keras 2 HDF5 models (the layout Keras' model.save('x.h5') writes) and their expected outputs, with
h5py and numpy only (Debian has no Keras): a U-Net in the layout of DigitalShreeni's multi_unet_model (Conv2D 3x3
relu same + Dropout + Conv2D, MaxPooling2D, Conv2DTranspose 2x2/2, concatenate, 1x1 softmax head), a Sequential
classifier, and a model with a layer DL4J cannot import. The expected outputs are a plain numpy forward pass, written
independently of DL4J. Usage: make_fixtures.py OUT_DIR SIZE CHANNELS SEG_CLASSES CLS_CLASSES"""
import json
import sys

import h5py
import numpy as np

out, size, channels, seg_classes, cls_classes = sys.argv[1], *map(int, sys.argv[2:6])
rng = np.random.default_rng(17)


def he(shape, fan_in):
    return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)


def conv_config(name, filters, kernel, activation, strides=(1, 1), cls="Conv2D", extra=None):
    c = {"name": name, "trainable": True, "dtype": "float32", "filters": filters, "kernel_size": list(kernel),
         "strides": list(strides), "padding": "same", "data_format": "channels_last", "dilation_rate": [1, 1],
         "activation": activation, "use_bias": True,
         "kernel_initializer": {"class_name": "HeNormal", "config": {"seed": None}},
         "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": None,
         "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None}
    if cls == "Conv2DTranspose":
        c["output_padding"] = None
    c.update(extra or {})
    return {"class_name": cls, "config": c}


def node(layer, *inputs):
    layer = dict(layer)
    layer["name"] = layer["config"]["name"]
    layer["inbound_nodes"] = [[[i, 0, 0, {}] for i in inputs]] if inputs else []
    return layer


def save(path, model_config, weights):
    """weights: list of (layer name, [(weight name, array)]) in layer order."""
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = b"2.3.1"
        f.attrs["backend"] = b"tensorflow"
        f.attrs["model_config"] = json.dumps(model_config).encode()
        g = f.create_group("model_weights")
        g.attrs["layer_names"] = np.array([n.encode() for n, _ in weights])
        g.attrs["backend"] = b"tensorflow"
        g.attrs["keras_version"] = b"2.3.1"
        for name, ws in weights:
            lg = g.create_group(name)
            lg.attrs["weight_names"] = np.array([(name + "/" + w + ":0").encode() for w, _ in ws])
            for w, a in ws:
                lg.create_dataset(name + "/" + w + ":0", data=a)
    # what Keras' model.count_params() reports for these models: every stored weight value
    with open(path[:-len(".h5")] + "-params.txt", "w") as f:
        f.write(str(sum(a.size for _, ws in weights for _, a in ws)))


# ---- numpy reference layers (NHWC, one image) ----
def conv_same(x, k, b):
    kh, kw = k.shape[:2]
    p = np.pad(x, ((kh // 2, kh // 2), (kw // 2, kw // 2), (0, 0)))
    h, w = x.shape[:2]
    y = np.zeros((h, w, k.shape[3]), np.float64)
    for i in range(kh):
        for j in range(kw):
            y += p[i:i + h, j:j + w, :] @ k[i, j].astype(np.float64)
    return y + b


def relu(x):
    return np.maximum(x, 0)


def pool(x):
    h, w, c = x.shape
    return x.reshape(h // 2, 2, w // 2, 2, c).max(axis=(1, 3))


def up(x, k, b):  # Conv2DTranspose 2x2 stride 2: kernel [2, 2, out, in]
    h, w, _ = x.shape
    y = np.zeros((2 * h, 2 * w, k.shape[2]), np.float64)
    for a in range(2):
        for c in range(2):
            y[a::2, c::2, :] = x @ k[a, c].T.astype(np.float64)
    return y + b


def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


# ---- the U-Net (filters 4, 8; DigitalShreeni's names and order) ----
f1, f2 = 4, 8
W = {}
layers = [node({"class_name": "InputLayer", "config": {"batch_input_shape": [None, size, size, channels],
                                                      "dtype": "float32", "sparse": False, "name": "input_1"}})]


def add_conv(name, cin, cout, inp, kernel=3, activation="relu"):
    W[name] = (he((kernel, kernel, cin, cout), kernel * kernel * cin), (rng.standard_normal(cout) * 0.1).astype(np.float32))
    layers.append(node(conv_config(name, cout, (kernel, kernel), activation), inp))


def add(layer, *inputs):
    layers.append(node(layer, *inputs))


add_conv("conv2d", channels, f1, "input_1")
add({"class_name": "Dropout", "config": {"name": "dropout", "trainable": True, "rate": 0.1, "noise_shape": None, "seed": None}}, "conv2d")
add_conv("conv2d_1", f1, f1, "dropout")
add({"class_name": "MaxPooling2D", "config": {"name": "max_pooling2d", "trainable": True, "pool_size": [2, 2],
                                              "padding": "valid", "strides": [2, 2], "data_format": "channels_last"}}, "conv2d_1")
add_conv("conv2d_2", f1, f2, "max_pooling2d")
add({"class_name": "Dropout", "config": {"name": "dropout_1", "trainable": True, "rate": 0.2, "noise_shape": None, "seed": None}}, "conv2d_2")
add_conv("conv2d_3", f2, f2, "dropout_1")
W["conv2d_transpose"] = (he((2, 2, f1, f2), 4 * f2), (rng.standard_normal(f1) * 0.1).astype(np.float32))
add(conv_config("conv2d_transpose", f1, (2, 2), "linear", strides=(2, 2), cls="Conv2DTranspose"), "conv2d_3")
add({"class_name": "Concatenate", "config": {"name": "concatenate", "trainable": True, "axis": -1}}, "conv2d_transpose", "conv2d_1")
add_conv("conv2d_4", 2 * f1, f1, "concatenate")
add({"class_name": "Dropout", "config": {"name": "dropout_2", "trainable": True, "rate": 0.1, "noise_shape": None, "seed": None}}, "conv2d_4")
add_conv("conv2d_5", f1, f1, "dropout_2")
add_conv("conv2d_6", f1, seg_classes, "conv2d_5", kernel=1, activation="softmax")
unet_config = {"class_name": "Model", "config": {"name": "model", "layers": layers,
                                                 "input_layers": [["input_1", 0, 0]], "output_layers": [["conv2d_6", 0, 0]]}}
save(out + "/unet.h5", unet_config, [("input_1", [])] + [(n, [("kernel", k), ("bias", b)]) for n, (k, b) in W.items()])


def unet(x):
    c1 = relu(conv_same(relu(conv_same(x, *W["conv2d"])), *W["conv2d_1"]))
    c2 = relu(conv_same(relu(conv_same(pool(c1), *W["conv2d_2"])), *W["conv2d_3"]))
    u = np.concatenate([up(c2, *W["conv2d_transpose"]), c1], axis=-1)
    c3 = relu(conv_same(relu(conv_same(u, *W["conv2d_4"])), *W["conv2d_5"]))
    return softmax(conv_same(c3, *W["conv2d_6"]))


# ---- the Sequential classifier ----
kc, bc = he((3, 3, channels, 4), 9 * channels), (rng.standard_normal(4) * 0.1).astype(np.float32)
flat = (size // 2) * (size // 2) * 4
kd, bd = he((flat, cls_classes), flat), (rng.standard_normal(cls_classes) * 0.1).astype(np.float32)
seq_config = {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
    conv_config("conv2d", 4, (3, 3), "relu", extra={"batch_input_shape": [None, size, size, channels]}),
    {"class_name": "MaxPooling2D", "config": {"name": "max_pooling2d", "trainable": True, "pool_size": [2, 2],
                                              "padding": "valid", "strides": [2, 2], "data_format": "channels_last"}},
    {"class_name": "Flatten", "config": {"name": "flatten", "trainable": True, "data_format": "channels_last"}},
    {"class_name": "Dense", "config": {"name": "dense", "trainable": True, "units": cls_classes, "activation": "softmax",
                                       "use_bias": True, "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
                                       "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": None,
                                       "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None,
                                       "bias_constraint": None}}]}}
save(out + "/classifier.h5", seq_config, [("conv2d", [("kernel", kc), ("bias", bc)]), ("max_pooling2d", []),
                                         ("flatten", []), ("dense", [("kernel", kd), ("bias", bd)])])


def classifier(x):
    return softmax(pool(relu(conv_same(x, kc, bc))).reshape(-1) @ kd.astype(np.float64) + bd)


# ---- a layer DL4J has no importer for ----
bad = json.loads(json.dumps(seq_config))
bad["config"]["layers"].insert(2, {"class_name": "MyAttention", "config": {"name": "my_attention", "trainable": True}})
save(out + "/unsupported.h5", bad, [("conv2d", [("kernel", kc), ("bias", bc)]), ("max_pooling2d", []),
                                    ("my_attention", []), ("flatten", []), ("dense", [("kernel", kd), ("bias", bd)])])

# ---- an HDF5 file that is no Keras model ----
with h5py.File(out + "/not-keras.h5", "w") as f:
    f.create_dataset("data", data=np.arange(10))

# ---- inputs (NCHW, as distill4j feeds them) and expected probabilities (NCHW / NC), as text ----
x = rng.random((2, channels, size, size))
np.savetxt(out + "/input.txt", x.reshape(-1))
np.savetxt(out + "/unet-expected.txt", np.stack([unet(xi.transpose(1, 2, 0)).transpose(2, 0, 1) for xi in x]).reshape(-1))
np.savetxt(out + "/classifier-expected.txt", np.stack([classifier(xi.transpose(1, 2, 0)) for xi in x]).reshape(-1))
print("wrote", out)
