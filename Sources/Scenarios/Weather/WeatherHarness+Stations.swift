// The stations and the tester's getWeatherData wrapper (receipts and on-time values).
import DSimCore
import WeatherStations

extension WeatherHarness {
    /// Station `node − 1` on `node`: hangs (1/10), answers on time (½) or late, value 0..99.
    func installStation(_ node: NodeID) {
        let period = setup.periodNs
        let c = ctx.choices
        sim.handle(node, "GetWeatherData") {
            [sim] (req: StationRequest, _: NodeID) async throws -> WeatherReport in
            if c.chance(1, in: 10, "ws.hang") { try await sim.hangForever() }
            let spanUs = max(1, Int((period - 150 * Duration.millisecond) / Duration.microsecond))
            var delay = VirtualTime(c.below(spanUs, "ws.delay")) * Duration.microsecond
            if c.chance(1, in: 2, "ws.late") { delay += period + 300 * Duration.millisecond }
            let value = Double(c.below(100, "ws.value"))
            try await sim.sleep(delay)
            return WeatherReport(value: value, id: req.id, batch: req.batch)
        }
    }

    /// The tester's wrapper: a receipt now, the value only if the round trip is under P.
    func getWeatherData(_ id: Int, _ batch: Int) async throws -> WeatherReport? {
        precondition(id >= 0 && id < setup.k, "station id \(id) outside 0..<\(setup.k)")
        precondition(batch >= 0, "batch \(batch) < 0")
        while receipts.count <= batch {
            receipts.append([])
            onTime.append([])
            lastReceiptLine.append(0)
        }
        receipts[batch].append(id)
        lastReceiptLine[batch] = ctx.trace.observe(
            "ws.call", node: 0, [("id", .int(Int64(id))), ("batch", .int(Int64(batch)))])
        let calledAt = sim.now
        let reply: WeatherReport? = try await sim.call(
            id + 1, "GetWeatherData", StationRequest(id: id, batch: batch))
        let fields: [(String, JSON)] = [("id", .int(Int64(id))), ("batch", .int(Int64(batch)))]
        let line: TraceLine
        if let r = reply, sim.now - calledAt < setup.periodNs {
            onTime[batch].append(r.value)
            line = ctx.trace.observe(
                "ws.ontime", node: 0, fields + [("value", .int(Int64(r.value)))])
        } else if let r = reply {
            // Late: the aggregator must not count it, in its batch or in a later one.
            line = ctx.trace.observe(
                "ws.late", node: 0,
                fields + [
                    ("value", .int(Int64(r.value))), ("afterNs", .int(Int64(sim.now - calledAt))),
                ])
            missedSinceOutput.append(line)
        } else {
            line = ctx.trace.observe("ws.noanswer", node: 0, fields)
            missedSinceOutput.append(line)
        }
        if let task = SimTask.current { answered.append((task, line, sim.now)) }
        return reply
    }
}
