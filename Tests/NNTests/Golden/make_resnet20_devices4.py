"""resnet20_c100_devices4.h5: the step of resnet20_c100.h5 (CIFAR ResNet20 v1, 100 classes,
batch 8) on 4 devices, as MXNet/GluonCV data parallelism without synchronised batch norm
trains: each quarter of the batch (2 images) goes through the model on its own, so its
batch norm uses the quarter's statistics; the loss is the sum of the per-image losses
divided by the whole batch (Gluon's backward() over the devices, then step(batch_size)),
so the gradients of the four quarters add up. Each device updates its own copy of the
running statistics from the same starting values; Gluon averages the copies when it saves
them, so the file holds the mean of the four updates.

Run with the PyTorch peer's venv (../shared/peers/README.md), in float64:
    /tmp/torch-peer/bin/python make_resnet20_devices4.py ../Fixtures/resnet20_c100.h5 \
        ../Fixtures/resnet20_c100_devices4.h5 ../../../../shared/peers
"""
import json
import sys

import h5py
import numpy as np
import torch
import torch.nn.functional as F

source, target, peers = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, peers)
from models_torch import CIFARResNetV1  # noqa: E402

DEVICES = 4
torch.set_default_dtype(torch.float64)
src = h5py.File(source, "r")
model = CIFARResNetV1(depth=int(src.attrs["depth"]), classes=int(src.attrs["classes"]), stem_relu=False).double()
state = model.state_dict()
names = json.loads(src.attrs["param_names"])
for name in names:
    state[name].copy_(torch.from_numpy(src["params/" + name][...].astype(np.float64)))
running = [n for n in state if n.endswith("running_mean") or n.endswith("running_var")]
before = {n: torch.from_numpy(src["bn_running_before/" + n][...].astype(np.float64)) for n in running}
model.train()

x = torch.from_numpy(src["inputs/x"][...].astype(np.float64))
labels = torch.from_numpy(src["inputs/labels"][...].astype(np.int64))
batch = x.shape[0]
part = batch // DEVICES


def step():
    """Logits, loss, parameter and input gradients, and the averaged running statistics
    (PyTorch's rule: the unbiased variance)."""
    model.zero_grad()
    logits, loss, dx = [], 0.0, []
    after = {n: torch.zeros_like(before[n]) for n in running}
    for p in range(DEVICES):
        for n in running:
            state[n].copy_(before[n])
        xp = x[p * part:(p + 1) * part].clone().requires_grad_(True)
        out = model(xp)
        lp = F.cross_entropy(out, labels[p * part:(p + 1) * part], reduction="sum") / batch
        lp.backward()
        logits.append(out.detach())
        loss += lp.item()
        dx.append(xp.grad.detach())
        for n in running:
            after[n] += state[n]
    return torch.cat(logits), loss, torch.cat(dx), {n: v / DEVICES for n, v in after.items()}


logits, loss, dx, after_unbiased = step()
grads = {n: p.grad.detach().clone() for n, p in model.named_parameters()}


# MXNet's rule updates with each device's biased batch variance: take it from the BN inputs.
variances = {}


def hook(name):
    def record(module, inputs, output):
        v = inputs[0].detach()
        variances.setdefault(name, []).append(v.var(dim=(0, 2, 3), unbiased=False))
    return record


handles = [m.register_forward_hook(hook(n)) for n, m in model.named_modules() if isinstance(m, torch.nn.BatchNorm2d)]
step()
for h in handles:
    h.remove()
after_mxnet = {}
for n in running:
    if n.endswith("running_var"):
        bn = n[: -len(".running_var")]
        updates = [0.9 * before[n] + 0.1 * v for v in variances[bn]]
        after_mxnet[n] = sum(updates) / DEVICES

with h5py.File(target, "w") as out:
    for key, value in src.attrs.items():
        out.attrs[key] = value
    out.attrs["devices"] = DEVICES
    out.attrs["description"] = __doc__.split("\n\n")[0]
    out["inputs/x"] = src["inputs/x"][...]
    out["inputs/labels"] = src["inputs/labels"][...]
    for name in names:
        out["params/" + name] = src["params/" + name][...]
    for n in running:
        out["bn_running_before/" + n] = src["bn_running_before/" + n][...]
    out["f64/logits"] = logits.numpy()
    out["f64/loss"] = np.array([loss])
    for n, g in grads.items():
        out["f64/grads/" + n] = g.numpy()
    out["f64/grads/input.x"] = dx.numpy()
    for n in running:
        out["f64/bn_running_after/" + n] = after_unbiased[n].numpy()
        if n.endswith("running_var"):
            out["f64/bn_running_after_mxnet/" + n] = after_mxnet[n].numpy()
print("wrote", target, "loss", loss)
