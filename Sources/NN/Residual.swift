import Tensor

/// The residual join of a block: out = ReLU(body + shortcut), computed in place on the body.
public enum Residual {
    /// body ← max(body + shortcut, 0).
    public static func addReLU(_ body: UnsafeMutablePointer<Float>, _ shortcut: UnsafePointer<Float>, count: Int) {
        let pieces = (count + 65535) / 65536
        Parallel.forEach(pieces) { piece, _ in
            for i in Parallel.range(piece, of: pieces, count: count) { body[i] = max(body[i] + shortcut[i], 0) }
        }
    }

    /// Backward of `addReLU`: the gradient reaching both the body and the shortcut is
    /// dOut masked where the output is not positive; done in place on dOut.
    public static func backwardReLU(_ dOut: UnsafeMutablePointer<Float>, output: UnsafePointer<Float>, count: Int) {
        let pieces = (count + 65535) / 65536
        Parallel.forEach(pieces) { piece, _ in
            for i in Parallel.range(piece, of: pieces, count: count) where output[i] <= 0 { dOut[i] = 0 }
        }
    }
}
