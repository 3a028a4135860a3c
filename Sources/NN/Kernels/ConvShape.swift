import Tensor

/// The geometry of one 2-D convolution over a batch: input (N, C, H, W), weight
/// (O, C/groups, K, K), output (N, O, OH, OW). Square kernels, the same padding on all
/// four sides, no dilation, no bias (every GluonCV CIFAR conv).
public struct ConvShape: Equatable, Sendable {
    public var batch, inChannels, height, width: Int
    public var outChannels, kernel, stride, pad, groups: Int

    public init(
        batch: Int, inChannels: Int, height: Int, width: Int,
        outChannels: Int, kernel: Int, stride: Int = 1, pad: Int = 0, groups: Int = 1
    ) {
        self.batch = batch; self.inChannels = inChannels; self.height = height; self.width = width
        self.outChannels = outChannels; self.kernel = kernel; self.stride = stride; self.pad = pad
        self.groups = groups
        // The models' own shapes: only what the kernels' index arithmetic relies on.
        check(
            groups > 0 && inChannels % groups == 0 && outChannels % groups == 0,
            "ConvShape: \(inChannels) in / \(outChannels) out channels not divisible by \(groups) groups")
    }

    /// The shape, or `NNError.badInput` saying what does not fit: for shapes read from a
    /// file (a golden file's attributes), where a damaged value must not reach the kernels.
    public static func validated(
        batch: Int, inChannels: Int, height: Int, width: Int,
        outChannels: Int, kernel: Int, stride: Int, pad: Int, groups: Int
    ) throws -> ConvShape {
        // Built field by field: the initializer's own check would stop the process first.
        var shape = ConvShape(batch: 1, inChannels: 1, height: 1, width: 1, outChannels: 1, kernel: 1)
        (shape.batch, shape.inChannels, shape.height, shape.width) = (batch, inChannels, height, width)
        (shape.outChannels, shape.kernel, shape.stride, shape.pad, shape.groups) = (
            outChannels, kernel, stride, pad, groups
        )
        if let problem = shape.problem { throw NNError.badInput("convolution: \(problem)") }
        return shape
    }

    /// What makes the geometry impossible (the kernels would divide by zero or index
    /// outside the buffers), or nil.
    public var problem: String? {
        guard batch > 0, inChannels > 0, height > 0, width > 0, outChannels > 0, kernel > 0, stride > 0, pad >= 0,
            groups > 0
        else {
            return
                "sizes must be positive (batch \(batch), channels \(inChannels)→\(outChannels), \(height)×\(width), "
                + "kernel \(kernel), stride \(stride), groups \(groups)) and pad \(pad) not negative"
        }
        guard inChannels % groups == 0, outChannels % groups == 0 else {
            return "\(inChannels) in / \(outChannels) out channels are not divisible by \(groups) groups"
        }
        guard height + 2 * pad >= kernel, width + 2 * pad >= kernel else {
            return "kernel \(kernel) is larger than the padded \(height)×\(width) input (pad \(pad))"
        }
        return nil
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
