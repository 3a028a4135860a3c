import Tensor

/// A residual block: a chain of conv-BN units (ReLU after all but the last), a shortcut
/// (identity or a strided 1x1 conv-BN projection), then ReLU(body + shortcut), which the
/// last unit's batch norm computes in its own pass, forward and backward.
/// BasicBlockV1 has two 3x3 units; the ResNeXt bottleneck has 1x1, grouped 3x3, 1x1.
final class ResidualBlock {
    let body: [ConvBN]
    let down: ConvBN?

    init(body: [ConvBN], down: ConvBN?) {
        self.body = body
        self.down = down
        for unit in body.dropLast() + (down.map { [$0] } ?? []) { unit.sharesOutput = true }
    }

    /// The body's units, then the projection's.
    var units: [ConvBN] { body + (down.map { [$0] } ?? []) }

    /// The block output, (N, C_out, OH, OW): the last unit's buffer, which its batch norm
    /// writes with the join.
    var output: FloatBuffer { body[body.count - 1].y }

    func prepare(batch: Int, height: Int, width: Int) -> (Int, Int) {
        var size = (height, width)
        for unit in body { size = unit.prepare(batch: batch, height: size.0, width: size.1) }
        _ = down?.prepare(batch: batch, height: height, width: width)
        return size
    }

    /// The largest output among the units that share theirs.
    var sharedOutputCount: Int {
        units.filter(\.sharesOutput).map(\.shape.outputCount).max() ?? 0
    }

    /// Hands the units that share their output the model's two buffers: body units
    /// alternate, so a unit's input and output never share one; the projection takes the
    /// one its last body unit's input is not in (it runs just before that unit).
    func share(_ buffers: (FloatBuffer, FloatBuffer)) {
        for (i, unit) in body.dropLast().enumerated() where unit.sharesOutput {
            unit.useOutput(i % 2 == 0 ? buffers.0 : buffers.1)
        }
        if let down, down.sharesOutput { down.useOutput(body.count % 2 == 0 ? buffers.1 : buffers.0) }
    }

    func forward(_ input: UnsafePointer<Float>, training: Bool, _ context: ComputeContext) {
        var x = input
        for unit in body.dropLast() {
            unit.forward(x, training: training, context)
            x = UnsafePointer(unit.y.pointer)
        }
        // the shortcut just before the last unit, whose batch norm writes the join ReLU(body + shortcut)
        var shortcut = input
        if let down {
            down.forward(input, training: training, context)
            shortcut = UnsafePointer(down.y.pointer)
        }
        body[body.count - 1].forward(x, training: training, join: shortcut, context)
    }

    /// dOut (gradient w.r.t. the block output) is consumed; dInput is overwritten with the
    /// gradient w.r.t. the block input. `scratch` holds one buffer as large as any
    /// activation, two for bodies of three units or more.
    func backward(
        _ dOut: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>,
        dInput: UnsafeMutablePointer<Float>, scratch: [FloatBuffer], _ context: ComputeContext
    ) {
        // the join's ReLU mask is taken once, by the last unit's batch norm: it writes the
        // masked dOut, which is the shortcut's gradient, as it takes its sums (into dInput, or
        // for a projection into scratch[0], free until the last unit's convolution)
        let last = body.count - 1
        let shortcut = down == nil ? dInput : scratch[0].pointer
        body[last].backwardNorm(dOut, maskedInto: shortcut, context)
        down?.backward(shortcut, input: input, dInput: dInput, context)
        // then the body, last unit first; gradients between units alternate in scratch[0], scratch[1]
        var gradient = dOut
        for i in stride(from: last, through: 0, by: -1) {
            // the unit's input: the previous unit's output, written again into its shared buffer
            if i > 0 && body[i - 1].sharesOutput { body[i - 1].restoreOutput(context) }
            let unitInput = i == 0 ? input : UnsafePointer(body[i - 1].y.pointer)
            // the first unit adds to the shortcut's gradient; the others write theirs
            let target = i == 0 ? dInput : scratch[(last - i) % 2].pointer
            if i == last {
                body[i].backwardConv(gradient, input: unitInput, dInput: target, accumulate: i == 0, context)
            } else {
                body[i].backward(gradient, input: unitInput, dInput: target, accumulate: i == 0, context)
            }
            gradient = target
        }
    }
}
