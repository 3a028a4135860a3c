// NN: the engine's layers, kernels, models, losses and optimizers, on Tensor. Its
// folders, one concern each:
//
//   Layers/   one file per layer kind, forward and backward side by side: Conv2D (every
//             convolution; Conv3x3 for the direct 3x3 ones), BatchNorm (with the fused
//             ReLU and residual join), ConvBN (a conv and its batch norm as one unit),
//             ResidualBlock, Dense, GlobalAvgPool, ReLU.
//   Kernels/  what the layers compute with: the shifted-grid direct 3x3 convolution
//             (Conv3x3Grid, Conv3x3Tiles), the patch matrix (Im2Col) and its product
//             (PanelProduct), per-plane sums (PlaneSums), how an image's work splits into
//             chunks (ImageParts), SIMD helpers (Vectors), the conv geometry (ConvShape)
//             and the seven-loop oracle the tests compare against (ConvReference).
//   Model/    CIFAR ResNet v1 and ResNeXt29 built from a spec (ModelSpec, Model), their
//             parameters (ParameterStore, Initializer), cost (ModelCost), and data
//             parallelism over devices without synchronised batch norm (Devices).
//   Losses/   softmax cross-entropy on soft targets (SoftmaxCrossEntropy, Targets) and
//             distillation from a teacher (Distillation).
//   Optim/    the optimizers (Optimizer: SGD, NAG, Adam, Nadam, AdaDelta, RMSProp) and
//             the learning-rate schedules (LRSchedule).
//
// The gradient rule, which every backward follows:
// - gradients of parameters (dw, dBias, dGamma, dBeta) ACCUMULATE (+=): the trainer zeroes
//   them once a step, and the parts of a step on several devices add into them;
// - gradients of inputs (dx, dInput) are WRITTEN (dx = …), unless the call passes
//   `accumulate: true` (dx += …). That is the one place two paths meet: a residual
//   block's first unit adds its input gradient to the shortcut's. A backward may also
//   overwrite its own output gradient (dOut, dy) when it says so: BatchNorm and ConvBN
//   turn it into the gradient w.r.t. their input in place.
