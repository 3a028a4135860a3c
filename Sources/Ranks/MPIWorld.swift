import CMPI
import Foundation
import NN

/// The ranks of one `mpirun` or `srun` launch as a `Collective`, through Open MPI's
/// point-to-point messages (MPI is transport only: no MPI reduction ever adds a float).
/// Every exchange has a deadline: a rank that died or hangs ends the whole job with a
/// message instead of leaving the others waiting (`mpirun` then exits non-zero and the
/// driver retries from the last saved state).
public final class MPIWorld: Collective {
    public let rank: Int
    public let size: Int
    /// Seconds an exchange may wait for its messages (`REPRO_COLLECTIVE_TIMEOUT`, default 600).
    public let timeout: Double
    /// Bytes this rank sent and seconds it waited for exchanges to complete, since the last reset.
    public private(set) var bytesSent = 0
    public private(set) var secondsWaiting = 0.0

    public func resetCounters() {
        bytesSent = 0
        secondsWaiting = 0
    }

    /// The world when this process is one of several ranks of a launch, else nil.
    public static let launched: MPIWorld? = {
        let environment = ProcessInfo.processInfo.environment
        let size =
            ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE"].lazy
            .compactMap { environment[$0].flatMap(Int.init) }.first ?? 1
        guard size > 1 else { return nil }
        return MPIWorld(timeout: environment["REPRO_COLLECTIVE_TIMEOUT"].flatMap(Double.init) ?? 600)
    }()

    private init(timeout: Double) {
        var provided: Int32 = 0
        MPI_Init_thread(nil, nil, repro_mpi_thread_serialized(), &provided)
        var rank: Int32 = 0, size: Int32 = 0
        MPI_Comm_rank(repro_mpi_comm_world(), &rank)
        MPI_Comm_size(repro_mpi_comm_world(), &size)
        self.rank = Int(rank)
        self.size = Int(size)
        self.timeout = timeout
    }

    /// Ends MPI in this process (every rank, once, before it exits).
    public func finish() { MPI_Finalize() }

    /// Ends every rank of the launch with `message` (exit code 1).
    public func abort(_ message: String) -> Never {
        FileHandle.standardError.write(Data("repro: rank \(rank) of \(size): \(message)\n".utf8))
        MPI_Abort(repro_mpi_comm_world(), 1)
        exit(1)
    }

    public func exchange(_ outgoing: [[Float]], incoming: [Int]) -> [[Float]] {
        var received = incoming.map { [Float](repeating: 0, count: $0) }
        received[rank] = outgoing[rank]
        var requests: [MPI_Request?] = []
        // every buffer stays where it is until the requests are complete (the wait below)
        for r in 0..<size where r != rank && incoming[r] > 0 {
            received[r].withUnsafeMutableBufferPointer { buffer in
                var request: MPI_Request? = repro_mpi_request_null()
                MPI_Irecv(
                    buffer.baseAddress, Int32(buffer.count), repro_mpi_float(), Int32(r), 0,
                    repro_mpi_comm_world(), &request)
                requests.append(request)
            }
        }
        for r in 0..<size where r != rank && !outgoing[r].isEmpty {
            bytesSent += 4 * outgoing[r].count
            outgoing[r].withUnsafeBufferPointer { buffer in
                var request: MPI_Request? = repro_mpi_request_null()
                MPI_Isend(
                    buffer.baseAddress, Int32(buffer.count), repro_mpi_float(), Int32(r), 0,
                    repro_mpi_comm_world(), &request)
                requests.append(request)
            }
        }
        wait(&requests)
        return received
    }

    // the messages of `post` and `expect`, in flight until `complete`: each in a buffer of
    // its own that nothing moves or frees before then
    private var streamed: [MPI_Request?] = []
    private var sending: [UnsafeMutableBufferPointer<Float>] = [], receiving: [UnsafeMutableBufferPointer<Float>] = []

    public func post(_ values: [Float], to rank: Int, tag: Int) {
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: values.count)
        _ = buffer.initialize(from: values)
        sending.append(buffer)
        bytesSent += 4 * values.count
        var request: MPI_Request? = repro_mpi_request_null()
        MPI_Isend(
            buffer.baseAddress, Int32(buffer.count), repro_mpi_float(), Int32(rank), Int32(tag),
            repro_mpi_comm_world(), &request)
        streamed.append(request)
    }

    public func expect(_ count: Int, from rank: Int, tag: Int) {
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
        receiving.append(buffer)
        var request: MPI_Request? = repro_mpi_request_null()
        MPI_Irecv(
            buffer.baseAddress, Int32(count), repro_mpi_float(), Int32(rank), Int32(tag), repro_mpi_comm_world(),
            &request)
        streamed.append(request)
    }

    public func progress() {
        var done: Int32 = 0
        MPI_Testall(Int32(streamed.count), &streamed, &done, nil)
    }

    public func complete() -> [[Float]] {
        wait(&streamed)
        let received = receiving.map { Array($0) }
        for buffer in sending + receiving { buffer.deallocate() }
        (streamed, sending, receiving) = ([], [], [])
        return received
    }

    /// Polls the requests until all are complete, giving the core to the compute threads
    /// in between; past the deadline the launch ends.
    private func wait(_ requests: inout [MPI_Request?]) {
        let started = Date(), deadline = started.addingTimeInterval(timeout)
        var done: Int32 = 0
        while true {
            MPI_Testall(Int32(requests.count), &requests, &done, nil)
            if done != 0 {
                secondsWaiting += Date().timeIntervalSince(started)
                return
            }
            if Date() > deadline {
                abort(
                    "no answer from another rank within \(Int(timeout)) s (REPRO_COLLECTIVE_TIMEOUT): "
                        + "stopping all ranks"
                )
            }
            usleep(100)
        }
    }
}
