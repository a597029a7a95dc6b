// labrpc-style calls between async processes (lab-tests.md §1). A call sends the request
// through the simulated network; the server runs its handler as a new task; the reply travels
// back. The caller sees `nil` (labrpc's `ok == false`) when the request or reply is dropped,
// when either side is cut off or dead, or when the server crashed while handling — in which case
// the handler's side effects may still have happened, exactly as with labrpc. A caller's own
// timeout, if given, also returns nil. Without one a call to a server that never answers waits
// forever, as `Call` does in Go.

extension AsyncSimulation {
    /// Registers `handler` for `method` on node `node`'s current incarnation.
    public func handle<Request, Reply>(
        _ node: NodeID, _ method: String,
        _ handler: @escaping (Request, NodeID) async throws -> Reply
    ) {
        handlers[node][method] = { any in
            guard let (request, from) = any as? (Request, NodeID) else {
                preconditionFailure("\(method): request type mismatch")
            }
            return try await handler(request, from)
        }
    }

    /// Calls `method` on node `to` from the running task's node. Returns the reply, or nil on
    /// failure (drop, disconnection, crash, or `timeout`).
    public func call<Request, Reply>(
        _ to: NodeID, _ method: String, _ request: Request, requestBytes: Int = 64,
        replyBytes: Int = 64, timeout: VirtualTime? = nil
    ) async throws -> Reply? {
        guard let caller = currentNode else { preconditionFailure("call outside a task") }
        return try await park("reply to \(method) from n\(to)") { (p: Parker<Reply?>) in
            counters.rpcCount[to] &+= 1
            counters.totalRequests &+= 1
            counters.totalBytes &+= requestBytes
            if let t = timeout { timers.push({ p.fire(.success(nil)) }, at: now + t) }
            guard connectivity.canTalk(caller, to), executors[to].isAlive else {
                let ms = network.longDelays ? 7000 : 100
                let d = VirtualTime(choices.below(ms, "rpc.faildelay")) * Duration.millisecond
                timers.push({ p.fire(.success(nil)) }, at: now + d)
                return
            }
            let inc = executors[to].incarnation
            let (req, from) = (request, caller)
            // A duplicated request runs the handler twice; the first reply wins.
            let copies = choices.chance(network.duplicatePerMille, in: 1000, "net.dup") ? 2 : 1
            var sent = 0
            for copy in 0..<copies {
                let d = network.delay(reply: false, choices)
                if network.drops(reply: false, choices) {
                    counters.dropped &+= 1
                    // The call fails (labrpc: after the short delay) only if no copy got through.
                    if copy == copies - 1 && sent == 0 {
                        timers.push({ p.fire(.success(nil)) }, at: now + d)
                    }
                    continue
                }
                sent += 1
                timers.push(
                    {
                        self.serve(
                            p, method: method, request: req, from: from, to: to, incarnation: inc,
                            replyBytes: replyBytes)
                    }, at: now + d)
            }
        }
    }

    private func serve<Reply>(
        _ p: Parker<Reply?>, method: String, request: Any, from: NodeID, to: NodeID,
        incarnation: Int, replyBytes: Int
    ) {
        let server = executors[to]
        guard server.isAlive, server.incarnation == incarnation, connectivity.canTalk(from, to),
            let handler = handlers[to][method]
        else {
            counters.dropped &+= 1
            p.fire(.success(nil))
            return
        }
        counters.delivered &+= 1
        nonisolated(unsafe) let box = (request, from)
        nonisolated(unsafe) let parker = p
        spawn(to, "rpc \(method) from n\(from)") {
            let reply: Any
            do { reply = try await handler(box) } catch {
                parker.fire(.success(nil))
                return
            }
            self.sendReply(parker, reply as? Reply, from: from, to: to, server: server, replyBytes)
        }
    }

    private func sendReply<Reply>(
        _ p: Parker<Reply?>, _ reply: Reply?, from: NodeID, to: NodeID, server: NodeExecutor,
        _ replyBytes: Int
    ) {
        guard server.isAlive, connectivity.canTalk(to, from), !network.drops(reply: true, choices)
        else {
            counters.dropped &+= 1
            p.fire(.success(nil))
            return
        }
        let d = network.delay(reply: true, choices)
        timers.push(
            {
                if p.fire(.success(reply)) { self.counters.totalBytes &+= replyBytes }
            }, at: now + d)
    }
}
