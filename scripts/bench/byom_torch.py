#!/usr/bin/python3
"""The PyTorch baseline of scripts/bench/byom.ts: training steps per second of the fixture CNN
(test/fixtures/byom/cnn.onnx, the module class of scripts/fixtures/make-byom.py with the file's own
initial weights) on one pre-built batch, one thread, float32 — the same work the derived ONNX step
graph does per step (forward, cross-entropy, backward, optimizer update).

    /usr/bin/python3 scripts/bench/byom_torch.py OPTIMIZER BATCH WARMUP STEPS

Prints one JSON line: {"optimizer", "batch", "steps", "stepsPerSec", "torch", "firstLoss", "lastLoss"}.
The batch is the first BATCH training rows of test/fixtures/byom/mnist.npz, as the bench feeds
its own engine (uint8 / 255)."""
import importlib.util
import json
import os
import sys
import time

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torch.nn.functional as F

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
FIXTURES = os.path.join(ROOT, 'test', 'fixtures', 'byom')


def fixture_module():
    spec = importlib.util.spec_from_file_location('make_byom', os.path.join(ROOT, 'scripts', 'fixtures', 'make-byom.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    optimizer, batch, warmup, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(1)
    make = fixture_module()
    model = make.Cnn()
    inits = {t.name: onnx.numpy_helper.to_array(t) for t in onnx.load(os.path.join(FIXTURES, 'cnn.onnx')).graph.initializer}
    with torch.no_grad():
        for k, v in model.state_dict().items():
            v.copy_(torch.from_numpy(inits[k].copy()))
    model.train()
    with np.load(os.path.join(FIXTURES, 'mnist.npz')) as z:
        x = torch.from_numpy(z['x_train'][:batch].astype(np.float32) / np.float32(255.0))
        y = torch.from_numpy(z['y_train'][:batch].astype(np.int64))
    if optimizer == 'sgd':
        opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    elif optimizer == 'adam':
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, foreach=False)
    else:
        raise SystemExit(f'unknown optimizer {optimizer}')

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return float(loss)

    first = step()
    for _ in range(max(0, warmup - 1)):
        step()
    t0 = time.perf_counter()
    last = 0.0
    for _ in range(steps):
        last = step()
    seconds = time.perf_counter() - t0
    print(json.dumps({'optimizer': optimizer, 'batch': batch, 'steps': steps, 'stepsPerSec': steps / seconds,
                      'torch': torch.__version__, 'firstLoss': first, 'lastLoss': last}))


if __name__ == '__main__':
    main()
