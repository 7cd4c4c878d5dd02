import Testing
@testable import STUN

/// RFC 8489 §6.2.1 on an injected clock: sends at 0, RTO, 3·RTO, 7·RTO … up to Rc, then Rm·RTO of waiting.
@Suite struct TransactionTests {
    let start = ContinuousClock.now

    func transaction(rto: Duration = .milliseconds(500), rc: Int = 7, rm: Int = 16) -> ClientTransaction {
        let request = Message(method: .binding, class: .request)
        return ClientTransaction(request: request.encode(), transactionID: request.transactionID, now: start,
                                 rto: rto, maxTransmissions: rc, lastWaitMultiplier: rm)
    }

    @Test func retransmitsOnTheRFCScheduleThenTimesOut() {
        var transaction = transaction()
        var sends: [Duration] = [.zero]
        var timedOutAt: Duration?
        while let deadline = transaction.deadline {
            switch transaction.handleTimeout(at: deadline) {
            case .retransmit(let bytes):
                #expect(bytes == transaction.request)
                sends.append(deadline - start)
            case .timedOut:
                timedOutAt = deadline - start
            case nil:
                Issue.record("nothing due at the deadline")
                return
            }
        }
        // RFC 8489 §6.2.1's example: 0, 500, 1500, 3500, 7500, 15500 and 31500 ms, giving up at 39500 ms.
        #expect(sends == [0, 500, 1500, 3500, 7500, 15500, 31500].map { .milliseconds($0) })
        #expect(timedOutAt == .milliseconds(39500))
        #expect(transaction.state == .timedOut && transaction.transmissions == 7)
    }

    @Test func nothingHappensBeforeTheDeadline() {
        var transaction = transaction()
        let early = transaction.handleTimeout(at: start + .milliseconds(499))
        #expect(early == nil)
        #expect(transaction.transmissions == 1)
    }

    @Test func responseEndsItAndMeasuresRTTOnlyForTheFirstTransmission() throws {
        var first = transaction()
        let response = Message(method: .binding, class: .successResponse, transactionID: first.transactionID)
        let accepted = first.handleResponse(response, at: start + .milliseconds(42))
        #expect(accepted)
        #expect(first.state == .succeeded && first.deadline == nil && first.rtt == .milliseconds(42))
        let after = first.handleTimeout(at: start + .seconds(60))
        #expect(after == nil)

        // Karn's rule: after a retransmission, which send a response answers is unknown, so no RTT.
        var retried = transaction()
        _ = retried.handleTimeout(at: start + .milliseconds(500))
        let late = Message(method: .binding, class: .errorResponse, transactionID: retried.transactionID)
        let acceptedLate = retried.handleResponse(late, at: start + .milliseconds(700))
        #expect(acceptedLate)
        #expect(retried.state == .succeeded && retried.rtt == nil)
    }

    @Test func strangersAndRequestsDoNotEndIt() {
        var transaction = transaction()
        let stranger = transaction.handleResponse(Message(method: .binding, class: .successResponse), at: start)
        let request = transaction.handleResponse(Message(method: .binding, class: .request, transactionID: transaction.transactionID), at: start)
        #expect(!stranger && !request)
        #expect(transaction.state == .inProgress)
    }

    @Test func singleTransmissionWaitsRmTimesRTO() {
        var transaction = transaction(rto: .milliseconds(100), rc: 1, rm: 4)
        #expect(transaction.deadline == start + .milliseconds(400))
        let action = transaction.handleTimeout(at: start + .milliseconds(400))
        #expect(action == .timedOut)
    }
}
