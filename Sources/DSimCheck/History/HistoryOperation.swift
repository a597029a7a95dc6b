/// One client operation in a history: what was asked, what was answered, and when. (Not
/// `Operation`, which would clash with Foundation's in any file importing both.)
///
/// Times are integers on any clock the recorder likes (simulated ticks, source line numbers);
/// the interval `[callTime, returnTime]` is closed, so an operation called at the same time
/// another returns may be ordered either way.
public struct HistoryOperation<Input, Output> {
    /// The operation's id, for explanations (unique within a history read from a file).
    public var id: Int
    /// The client that issued it.
    public var client: Int
    /// When the client called.
    public var callTime: Int
    /// When the client got the reply; nil if it never did (the operation may or may not have
    /// taken effect, and is treated as returning at +infinity).
    public var returnTime: Int?
    /// What was asked.
    public var input: Input
    /// What was answered; nil when unknown (any output is accepted).
    public var output: Output?

    /// An operation; `returnTime` nil means pending, `output` nil means unknown.
    public init(
        id: Int, client: Int, callTime: Int, returnTime: Int?, input: Input, output: Output?
    ) {
        if let returnTime {
            precondition(
                returnTime >= callTime, "op \(id): return \(returnTime) < call \(callTime)")
        }
        self.id = id
        self.client = client
        self.callTime = callTime
        self.returnTime = returnTime
        self.input = input
        self.output = output
    }

    /// True if the client never got a reply.
    public var isPending: Bool { returnTime == nil }
}

extension HistoryOperation: Sendable where Input: Sendable, Output: Sendable {}
extension HistoryOperation: Equatable where Input: Equatable, Output: Equatable {}
