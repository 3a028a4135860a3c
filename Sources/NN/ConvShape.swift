/// The geometry of one 2-D convolution over a batch: input (N, C, H, W), weight
/// (O, C/groups, K, K), output (N, O, OH, OW). Square kernels, the same padding on all
/// four sides, no dilation, no bias (every GluonCV CIFAR conv).
public struct ConvShape: Equatable, Sendable {
    public var batch, inChannels, height, width: Int
    public var outChannels, kernel, stride, pad, groups: Int

    public init(batch: Int, inChannels: Int, height: Int, width: Int,
                outChannels: Int, kernel: Int, stride: Int = 1, pad: Int = 0, groups: Int = 1) {
        precondition(inChannels % groups == 0 && outChannels % groups == 0,
                     "conv: \(inChannels) in / \(outChannels) out channels not divisible by \(groups) groups")
        self.batch = batch; self.inChannels = inChannels; self.height = height; self.width = width
        self.outChannels = outChannels; self.kernel = kernel; self.stride = stride; self.pad = pad
        self.groups = groups
    }

    public var outHeight: Int { (height + 2 * pad - kernel) / stride + 1 }
    public var outWidth: Int { (width + 2 * pad - kernel) / stride + 1 }
    /// Input and output channels of one group.
    public var groupIn: Int { inChannels / groups }
    public var groupOut: Int { outChannels / groups }
    /// Rows of one group's im2col matrix: (C/groups)·K·K.
    public var patch: Int { groupIn * kernel * kernel }
    public var inputCount: Int { batch * inChannels * height * width }
    public var outputCount: Int { batch * outChannels * outHeight * outWidth }
    public var weightCount: Int { outChannels * patch }
    public var weightShape: [Int] { [outChannels, groupIn, kernel, kernel] }
    /// Multiply-adds of the forward pass for the whole batch.
    public var macs: Int { batch * outChannels * outHeight * outWidth * patch }
    /// A 1x1, stride-1, unpadded conv reads its input as the im2col matrix directly.
    public var isPointwise: Bool { kernel == 1 && stride == 1 && pad == 0 }
}
