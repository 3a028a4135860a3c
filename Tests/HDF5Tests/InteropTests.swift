import Foundation
import HDF5
import TestSupport
import XCTest

/// Files written by repro open in h5py with hdf5plugin, and the reverse. Needs python3 with
/// h5py and hdf5plugin (`.ci/run` and `make setup` install them); the test fails, never skips.
final class InteropTests: ScratchTestCase {
    @discardableResult
    func python(_ script: String) throws -> String {
        let run = try TestProcess.program("python3", ["-c", script])
        XCTAssertEqual(
            run.status, 0, "python3 failed (are h5py and hdf5plugin installed? run `make setup`):\n\(run.output)")
        return run.output
    }

    func testH5pyReadsWhatReproWrites() throws {
        let file = directory.appendingPathComponent("repro.h5")
        try H5File.write(file) { root in
            try root.setAttribute("note", "written by repro")
            let g = try root.createGroup("params")
            try g.write("w", (0..<6000).map { Float($0) * 0.25 }, shape: [20, 30, 10])
            try g.write("labels", (0..<100).map { UInt8($0) }, shape: [100])
            try root.writeStrings("names", ["cat", "dog"])
        }
        let out = try python(
            """
            import h5py, hdf5plugin, numpy as np
            f = h5py.File('\(file.path)', 'r')
            w = f['params/w']
            assert '32015' in w._filters, w._filters
            assert w.shape == (20, 30, 10) and w.dtype == np.float32
            assert np.array_equal(w[...].ravel(), np.arange(6000, dtype=np.float32) * 0.25)
            assert np.array_equal(f['params/labels'][...], np.arange(100, dtype=np.uint8))
            assert [s.decode() for s in f['names'][...]] == ['cat', 'dog']
            assert f.attrs['note'] == 'written by repro'
            print('ok')
            """)
        XCTAssertTrue(out.contains("ok"), out)
    }

    func testReproReadsWhatH5pyWrites() throws {
        let file = directory.appendingPathComponent("h5py.h5")
        try python(
            """
            import h5py, hdf5plugin, numpy as np
            with h5py.File('\(file.path)', 'w') as f:
                f.create_dataset('x', data=np.arange(50000, dtype=np.float64).reshape(100, 500) / 7,
                                 chunks=(10, 500), **hdf5plugin.Zstd(clevel=9))
                f.create_dataset('y', data=np.arange(12, dtype=np.int64).reshape(3, 4), **hdf5plugin.Zstd())
                f.attrs['epochs'] = 5
                f.attrs['title'] = 'from h5py'
            """)
        try H5File.read(file) { root in
            XCTAssertTrue(try root.openDataset("x").isZstdCompressed)
            let x = try root.read("x", as: Double.self)
            XCTAssertEqual(x.shape, [100, 500])
            XCTAssertEqual(x.values, (0..<50000).map { Double($0) / 7 })
            XCTAssertEqual(try root.read("y", as: Int64.self).values, Array(0..<12))
            XCTAssertEqual(try root.intAttribute("epochs"), 5)
            XCTAssertEqual(try root.stringAttribute("title"), "from h5py")
        }
    }
}
