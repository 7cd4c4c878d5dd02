import STUN

/// A full ICE agent for one component over UDP (RFC 8445), with trickle ICE (RFC 8838) and
/// consent freshness (RFC 7675), written sans-IO.
///
/// The driver owns the sockets and the clock. It gives the agent its bound local addresses with
/// ``gather(bases:at:)``, the peer's credentials and candidates as signalling delivers them, every
/// STUN datagram with ``handle(datagram:from:to:at:)``, and calls ``handleTimeout(at:)`` at
/// ``nextDeadline``. After each call it drains ``poll()``: datagrams to send from a given local
/// socket, and events. Application data goes over ``selectedPair`` while ``canSend`` is true.
public struct ICEAgent: Sendable {
    /// What happened to the STUN traffic so far.
    public struct Counters: Sendable, Equatable {
        /// Connectivity checks sent (first transmissions).
        public internal(set) var checksSent = 0
        /// Checks from the peer that were authenticated and answered with success.
        public internal(set) var requestsAnswered = 0
        /// Checks answered 401: wrong username or MESSAGE-INTEGRITY.
        public internal(set) var unauthenticated = 0
        /// Checks answered 400 or 420.
        public internal(set) var badRequests = 0
        /// Role conflicts met, whether this agent answered 487 or switched role.
        public internal(set) var roleConflicts = 0
        /// Datagrams that were not valid STUN, and responses that failed integrity.
        public internal(set) var dropped = 0
        /// Responses to no outstanding transaction (late retransmissions, strays).
        public internal(set) var unmatchedResponses = 0

        public init() {}
    }

    public let configuration: ICEConfiguration
    /// Breaks role conflicts (RFC 8445 §7.3.1.1); kept across role switches.
    public let tieBreaker: UInt64
    public private(set) var role: ICERole
    public private(set) var localCredentials: ICECredentials
    public private(set) var remoteCredentials: ICECredentials?
    public private(set) var state: ICEConnectionState = .new
    public private(set) var gatheringState: GatheringState = .new
    /// Host and server-reflexive candidates, in the order they were signalled.
    public private(set) var localCandidates: [ICECandidate] = []
    /// Signalled and peer-reflexive remote candidates.
    public private(set) var remoteCandidates: [ICECandidate] = []
    /// Candidate pairs, highest priority first.
    public private(set) var checkList: [CandidatePair] = []
    /// The pair application data uses; nil until nomination completes.
    public private(set) var selectedPair: CandidatePair?
    public private(set) var counters = Counters()

    private var bases: [TransportAddress] = []
    private var remoteEndOfCandidates = false
    private var triggered: [CandidatePair.ID] = []
    private var pending: [TransactionID: Pending] = [:]
    private var nextCheckAt: ContinuousClock.Instant?
    private var nominateAt: ContinuousClock.Instant?
    private var nominating: CandidatePair.ID?
    private var checkingSince: ContinuousClock.Instant?
    private var lastConsent: ContinuousClock.Instant?
    private var nextConsentAt: ContinuousClock.Instant?
    private var outputs: [ICEOutput] = []
    private var outputIndex = 0

    /// RFC 8445 §6.1.2.5 asks for a limit on the check list; 100 is its suggested value.
    static let maxPairs = 100
    /// A STUN server that does not answer within 0, 0.5, 1.5, 3.5 s + 2 s wait is given up on.
    static let gatherTransmissions = 4
    static let gatherLastWait = 4

    /// - Parameters:
    ///   - role: controlling for the offerer, controlled for the answerer (RFC 8445 §6.1.1).
    ///   - credentials: this agent's ufrag and password, signalled to the peer.
    public init(role: ICERole, credentials: ICECredentials = .random(), configuration: ICEConfiguration = .init(),
                tieBreaker: UInt64 = .random(in: .min ... .max)) {
        self.role = role
        self.localCredentials = credentials
        self.configuration = configuration
        self.tieBreaker = tieBreaker
    }

    // MARK: Inputs from the application

    /// Starts gathering on the given bound sockets: each becomes a host candidate, and each asks
    /// the configured STUN servers of its address family for a server-reflexive candidate.
    public mutating func gather(bases newBases: [TransportAddress], at now: ContinuousClock.Instant) {
        guard state != .closed else { return }
        gatheringState = .gathering
        for base in newBases where !bases.contains(base) {
            bases.append(base)
            let host = ICECandidate(type: .host, address: base,
                                    priority: ICECandidate.priority(type: .host, localPreference: localPreference(of: base)),
                                    foundation: foundation("host", base.ip.description))
            addLocalCandidate(host)
            for remote in remoteCandidates { formPair(local: host, remote: remote) }
            for server in configuration.stunServers where server.ip.isIPv4 == base.ip.isIPv4 {
                let request = Message(method: .binding, class: .request)
                startTransaction(request.encode(fingerprint: true), id: request.transactionID,
                                 purpose: .gather(server: server), local: base, remote: server, key: nil, now: now,
                                 rto: .milliseconds(500), transmissions: Self.gatherTransmissions, lastWait: Self.gatherLastWait)
            }
        }
        completeGatheringIfDone()
        scheduleChecks(now)
    }

    /// The peer's ufrag and password from its offer or answer. New credentials after earlier ones
    /// mean the peer restarted ICE: its candidates and all checks start over.
    public mutating func setRemoteCredentials(_ credentials: ICECredentials, at now: ContinuousClock.Instant) {
        guard state != .closed, credentials != remoteCredentials else { return }
        if remoteCredentials != nil { resetChecks() }
        remoteCredentials = credentials
        scheduleChecks(now)
    }

    /// A remote candidate from signalling, before or after checks began (trickle ICE).
    public mutating func addRemoteCandidate(_ candidate: ICECandidate, at now: ContinuousClock.Instant) {
        guard state != .closed else { return }
        if let index = remoteCandidates.firstIndex(where: { $0.address == candidate.address }) {
            // A signalled candidate replaces the peer-reflexive one learnt from its check (RFC 8445 §7.3.1.3).
            guard remoteCandidates[index].type == .peerReflexive else { return }
            remoteCandidates[index] = candidate
            for i in checkList.indices where checkList[i].remote.address == candidate.address {
                checkList[i].remote = candidate
                checkList[i].updatePriority(role: role)
            }
            sortCheckList()
            return
        }
        remoteCandidates.append(candidate)
        for local in localCandidates where local.type == .host { formPair(local: local, remote: candidate) }
        scheduleChecks(now)
    }

    /// The peer has signalled end-of-candidates: once every pair has failed, the agent fails.
    public mutating func addRemoteEndOfCandidates(at now: ContinuousClock.Instant) {
        remoteEndOfCandidates = true
        failIfNothingLeft()
    }

    /// ICE restart (RFC 8445 §9): new local credentials, remote state cleared until the peer's new
    /// credentials arrive. The selected pair keeps carrying data until a new one is selected.
    /// Local candidates are announced again for the new generation.
    public mutating func restart(credentials: ICECredentials = .random(), at now: ContinuousClock.Instant) {
        guard state != .closed else { return }
        localCredentials = credentials
        remoteCredentials = nil
        resetChecks()
        for candidate in localCandidates { emit(.localCandidate(candidate)) }
        if gatheringState == .complete { emit(.gatheringComplete) }
    }

    /// Stops everything: no more checks, consent or events.
    public mutating func close() {
        guard state != .closed else { return }
        resetChecks()
        pending = [:]
        selectedPair = nil
        nextConsentAt = nil
        setState(.closed)
    }

    /// Whether application data may be sent over ``selectedPair`` (consent not expired, RFC 7675 §5.1).
    public var canSend: Bool { selectedPair != nil && (state == .connected || state == .disconnected) }

    // MARK: Inputs from the driver

    /// A STUN datagram that arrived on local socket `local` from `remote`.
    public mutating func handle(datagram: some Collection<UInt8>, from remote: TransportAddress,
                                to local: TransportAddress, at now: ContinuousClock.Instant) {
        guard state != .closed else { return }
        let message: Message
        do {
            message = try Message(parsing: datagram)
        } catch {
            counters.dropped += 1
            return
        }
        switch message.messageClass {
        case .request: handleRequest(message, from: remote, to: local, at: now)
        case .successResponse, .errorResponse: handleResponse(message, from: remote, to: local, at: now)
        case .indication: break  // keepalives (RFC 8445 §11) need no answer
        }
    }

    /// The earliest time ``handleTimeout(at:)`` has work to do.
    public var nextDeadline: ContinuousClock.Instant? {
        var deadlines = pending.values.compactMap(\.transaction.deadline)
        deadlines += [nextCheckAt, nominateAt, nextConsentAt].compactMap { $0 }
        if let lastConsent, state == .connected { deadlines.append(lastConsent + configuration.disconnectedTimeout) }
        if let lastConsent, state == .connected || state == .disconnected {
            deadlines.append(lastConsent + configuration.consentTimeout)
        }
        if let checkingSince, state == .checking, selectedPair == nil {
            deadlines.append(checkingSince + configuration.checkingTimeout)
        }
        return deadlines.min()
    }

    /// Runs everything that is due: retransmissions, paced checks, nomination, consent.
    public mutating func handleTimeout(at now: ContinuousClock.Instant) {
        guard state != .closed else { return }
        for (id, var entry) in pending {
            guard let action = entry.transaction.handleTimeout(at: now) else { continue }
            switch action {
            case .retransmit(let bytes):
                pending[id] = entry
                emit(.transmit(ICETransmit(bytes: bytes, local: entry.local, remote: entry.remote)))
            case .timedOut:
                pending[id] = nil
                transactionFailed(entry, now: now)
            }
        }
        if let at = nextCheckAt, now >= at { sendNextCheck(now) }
        if nominateAt != nil, !checkList.contains(where: { [.waiting, .frozen, .inProgress].contains($0.state) }) {
            nominateAt = now  // nothing better can turn up: nominate now
        }
        if let at = nominateAt, now >= at { nominate(now) }
        refreshConsent(now)
        if let since = checkingSince, state == .checking, selectedPair == nil, now - since >= configuration.checkingTimeout {
            setState(.failed)
        }
    }

    /// The next datagram to send or event to report; nil when there is nothing.
    public mutating func poll() -> ICEOutput? {
        guard outputIndex < outputs.count else {
            outputs.removeAll(keepingCapacity: true)
            outputIndex = 0
            return nil
        }
        defer { outputIndex += 1 }
        return outputs[outputIndex]
    }

    // MARK: Requests from the peer (RFC 8445 §7.3)

    private mutating func handleRequest(_ request: Message, from remote: TransportAddress, to local: TransportAddress,
                                        at now: ContinuousClock.Instant) {
        guard bases.contains(local) else {
            counters.dropped += 1
            return
        }
        let localKey = Array(localCredentials.pwd.utf8)
        guard request.method == .binding, request.unknownComprehensionRequired.isEmpty else {
            counters.badRequests += 1
            let extra: [Attribute] = request.unknownComprehensionRequired.isEmpty ? [] : [.unknownAttributes(request.unknownComprehensionRequired)]
            respond(to: request, error: request.unknownComprehensionRequired.isEmpty ? .badRequest : .unknownAttribute,
                    extra: extra, key: nil, from: local, to: remote)
            return
        }
        // RFC 8489 §9.1.3: without USERNAME or MESSAGE-INTEGRITY the request is a bad one; with the wrong
        // ones it is unauthenticated. Neither kind may change any state.
        guard let username = request.username, request.messageIntegrityOffset != nil else {
            counters.badRequests += 1
            respond(to: request, error: .badRequest, key: nil, from: local, to: remote)
            return
        }
        guard username.hasPrefix(localCredentials.ufrag + ":"), request.verifyIntegrity(key: localKey) else {
            counters.unauthenticated += 1
            respond(to: request, error: .unauthenticated, key: nil, from: local, to: remote)
            return
        }
        if role == .controlling, let theirs = request.iceControlling {
            counters.roleConflicts += 1
            guard tieBreaker < theirs else {
                respond(to: request, error: .roleConflict, key: localKey, from: local, to: remote)
                return
            }
            switchRole(to: .controlled, now: now)
        } else if role == .controlled, let theirs = request.iceControlled {
            counters.roleConflicts += 1
            guard tieBreaker < theirs else {
                switchRole(to: .controlling, now: now)
                return answer(request, from: remote, to: local, at: now)
            }
            respond(to: request, error: .roleConflict, key: localKey, from: local, to: remote)
            return
        }
        answer(request, from: remote, to: local, at: now)
    }

    /// Success response, peer-reflexive learning, triggered check and nomination for an accepted check.
    private mutating func answer(_ request: Message, from remote: TransportAddress, to local: TransportAddress,
                                 at now: ContinuousClock.Instant) {
        counters.requestsAnswered += 1
        let response = Message(method: .binding, class: .successResponse, transactionID: request.transactionID,
                               attributes: [.xorMappedAddress(remote)] + softwareAttribute)
        emit(.transmit(ICETransmit(bytes: response.encode(integrity: .sha1(key: Array(localCredentials.pwd.utf8)), fingerprint: true),
                                   local: local, remote: remote)))

        if !remoteCandidates.contains(where: { $0.address == remote }) {
            // RFC 8445 §7.3.1.3: a source we were not told about is a peer-reflexive candidate.
            let candidate = ICECandidate(type: .peerReflexive, address: remote, priority: request.priority ?? 0,
                                         foundation: foundation("prflx", remote.ip.description))
            remoteCandidates.append(candidate)
        }
        let id = CandidatePair.ID(local: local, remote: remote)
        if !checkList.contains(where: { $0.id == id }),
           let host = localCandidates.first(where: { $0.type == .host && $0.base == local }),
           let candidate = remoteCandidates.first(where: { $0.address == remote }) {
            formPair(local: host, remote: candidate, state: .waiting)
        }
        guard let index = checkList.firstIndex(where: { $0.id == id }) else { return }
        // RFC 8445 §7.3.1.4: a triggered check, unless one is running or the pair already works.
        switch checkList[index].state {
        case .succeeded, .inProgress: break
        case .frozen, .waiting, .failed:
            checkList[index].state = .waiting
            if !triggered.contains(id) { triggered.append(id) }
        }
        // RFC 8445 §7.3.1.5: the controlling agent nominated this pair.
        if role == .controlled, request.useCandidate {
            checkList[index].nominated = true
            if checkList[index].state == .succeeded { select(checkList[index], now: now) }
        }
        scheduleChecks(now)
    }

    private mutating func respond(to request: Message, error: ErrorCode, extra: [Attribute] = [], key: [UInt8]?,
                                  from local: TransportAddress, to remote: TransportAddress) {
        let response = Message(method: request.method, class: .errorResponse, transactionID: request.transactionID,
                               attributes: [.errorCode(error)] + extra + softwareAttribute)
        emit(.transmit(ICETransmit(bytes: response.encode(integrity: key.map { .sha1(key: $0) }, fingerprint: true),
                                   local: local, remote: remote)))
    }

    private var softwareAttribute: [Attribute] { configuration.software.map { [.software($0)] } ?? [] }

    // MARK: Our transactions: gathering, checks, consent

    private struct Pending: Sendable {
        enum Purpose: Sendable {
            case gather(server: TransportAddress)
            case check(CandidatePair.ID, nominate: Bool, role: ICERole)
            case consent
        }

        var transaction: ClientTransaction
        var purpose: Purpose
        var local: TransportAddress
        var remote: TransportAddress
        /// The remote password the request was signed with; its responses must verify with it.
        var key: [UInt8]?
    }

    private mutating func startTransaction(_ bytes: [UInt8], id: TransactionID, purpose: Pending.Purpose,
                                           local: TransportAddress, remote: TransportAddress, key: [UInt8]?,
                                           now: ContinuousClock.Instant, rto: Duration, transmissions: Int, lastWait: Int) {
        let transaction = ClientTransaction(request: bytes, transactionID: id, now: now, rto: rto,
                                            maxTransmissions: transmissions, lastWaitMultiplier: lastWait)
        pending[id] = Pending(transaction: transaction, purpose: purpose, local: local, remote: remote, key: key)
        emit(.transmit(ICETransmit(bytes: bytes, local: local, remote: remote)))
    }

    /// A Binding request authenticated for the peer (RFC 8445 §7.2.2).
    private mutating func sendCheck(local: TransportAddress, remote: TransportAddress, purpose: Pending.Purpose,
                                    useCandidate: Bool, now: ContinuousClock.Instant) {
        guard let remoteCredentials, let host = localCandidates.first(where: { $0.type == .host && $0.base == local }) else { return }
        // PRIORITY is what a peer-reflexive candidate learnt from this check would get (§7.1.1).
        var attributes: [Attribute] = [
            .username("\(remoteCredentials.ufrag):\(localCredentials.ufrag)"),
            .priority(CandidateType.peerReflexive.typePreference << 24 | host.priority & 0x00FF_FFFF),
            role == .controlling ? .iceControlling(tieBreaker: tieBreaker) : .iceControlled(tieBreaker: tieBreaker),
        ]
        if useCandidate { attributes.append(.useCandidate) }
        let request = Message(method: .binding, class: .request, attributes: attributes)
        let key = Array(remoteCredentials.pwd.utf8)
        startTransaction(request.encode(integrity: .sha1(key: key), fingerprint: true), id: request.transactionID,
                         purpose: purpose, local: local, remote: remote, key: key, now: now,
                         rto: configuration.checkRTO, transmissions: configuration.checkTransmissions, lastWait: 2)
    }

    private mutating func handleResponse(_ response: Message, from remote: TransportAddress, to local: TransportAddress,
                                         at now: ContinuousClock.Instant) {
        guard var entry = pending[response.transactionID] else {
            counters.unmatchedResponses += 1
            return
        }
        if let key = entry.key {
            // Only authenticated answers count; unauthenticated error codes (400, 401) may fail a check,
            // since a forger could as well drop the datagrams.
            let authentic = response.messageIntegrityOffset != nil && response.verifyIntegrity(key: key)
            let acceptableFailure = response.messageClass == .errorResponse && response.messageIntegrityOffset == nil
                && response.errorCode?.code != ErrorCode.roleConflict.code
            guard authentic || acceptableFailure else {
                counters.dropped += 1
                return
            }
        }
        guard entry.transaction.handleResponse(response, at: now) else { return }
        pending[response.transactionID] = nil

        switch entry.purpose {
        case .gather(let server):
            if response.messageClass == .successResponse, let mapped = response.xorMappedAddress ?? response.mappedAddress,
               !localCandidates.contains(where: { $0.address == mapped }) {
                let srflx = ICECandidate(type: .serverReflexive, address: mapped, base: entry.local,
                                         priority: ICECandidate.priority(type: .serverReflexive, localPreference: localPreference(of: entry.local)),
                                         foundation: foundation("srflx", entry.local.ip.description, server.description),
                                         relatedAddress: entry.local)
                addLocalCandidate(srflx)
            }
            completeGatheringIfDone()
        case .consent:
            guard response.messageClass == .successResponse, remote == entry.remote, local == entry.local else { return }
            lastConsent = now
            if state == .disconnected { setState(.connected) }
        case .check(let id, let nominate, let sentRole):
            guard let index = checkList.firstIndex(where: { $0.id == id }) else { return }
            if response.messageClass == .errorResponse {
                if response.errorCode?.code == ErrorCode.roleConflict.code {
                    // RFC 8445 §7.2.5.1: take the other role (unless already switched) and check again.
                    if sentRole == role { switchRole(to: role == .controlling ? .controlled : .controlling, now: now) }
                    counters.roleConflicts += 1
                    checkList[index].state = .waiting
                    if !triggered.contains(id) { triggered.append(id) }
                    scheduleChecks(now)
                } else {
                    pairFailed(at: index, now: now)
                }
                return
            }
            // RFC 8445 §7.2.5.2.1: the response must come back the way the request went.
            guard remote == entry.remote, local == entry.local else {
                pairFailed(at: index, now: now)
                return
            }
            checkList[index].state = .succeeded
            let pairFoundation = checkList[index].foundation
            for i in checkList.indices where checkList[i].state == .frozen && checkList[i].foundation == pairFoundation {
                checkList[i].state = .waiting
            }
            if nominate {
                checkList[index].nominated = true
                nominating = nil
                select(checkList[index], now: now)
            } else if role == .controlled, checkList[index].nominated {
                select(checkList[index], now: now)
            } else if role == .controlling, !hasNominatedPair, nominating == nil, nominateAt == nil {
                nominateAt = now + configuration.nominationDelay
            }
            scheduleChecks(now)
        }
    }

    private mutating func transactionFailed(_ entry: Pending, now: ContinuousClock.Instant) {
        switch entry.purpose {
        case .gather: completeGatheringIfDone()
        case .consent: break  // expiry is judged by time since the last response, not by one lost check
        case .check(let id, _, _):
            if let index = checkList.firstIndex(where: { $0.id == id }) { pairFailed(at: index, now: now) }
        }
    }

    private mutating func pairFailed(at index: Int, now: ContinuousClock.Instant) {
        checkList[index].state = .failed
        if nominating == checkList[index].id {
            nominating = nil
            nominateAt = now  // try the next best valid pair
        }
        failIfNothingLeft()
    }

    // MARK: Check list (RFC 8445 §6.1.2, §6.1.4)

    private mutating func formPair(local: ICECandidate, remote: ICECandidate, state explicitState: PairState? = nil) {
        guard local.base.ip.isIPv4 == remote.address.ip.isIPv4,
              !checkList.contains(where: { $0.id.local == local.base && $0.id.remote == remote.address }) else { return }
        var pair = CandidatePair(local: local, remote: remote, role: role, state: .frozen)
        // One pair per foundation starts Waiting; the rest wait for it to succeed (§6.1.2.6).
        let sibling = checkList.first { $0.foundation == pair.foundation }
        pair.state = explicitState ?? ((sibling == nil || sibling?.state == .succeeded) ? .waiting : .frozen)
        checkList.append(pair)
        sortCheckList()
        if checkList.count > Self.maxPairs,
           let victim = checkList.lastIndex(where: { $0.state != .inProgress && $0.state != .succeeded }) {
            checkList.remove(at: victim)
        }
    }

    private mutating func sortCheckList() {
        checkList.sort { $0.priority > $1.priority }
    }

    private mutating func scheduleChecks(_ now: ContinuousClock.Instant) {
        guard remoteCredentials != nil, nextCheckAt == nil, state != .failed else { return }
        nextCheckAt = now
    }

    /// One check per Ta: triggered checks first, then the best Waiting pair, then the best Frozen one.
    /// Once a pair is selected only triggered checks run (RFC 8445 §8.1.2).
    private mutating func sendNextCheck(_ now: ContinuousClock.Instant) {
        nextCheckAt = nil
        guard remoteCredentials != nil else { return }
        var next: CandidatePair.ID?
        while next == nil, !triggered.isEmpty {
            let id = triggered.removeFirst()
            if checkList.contains(where: { $0.id == id && $0.state == .waiting }) { next = id }
        }
        if next == nil, !hasNominatedPair {
            next = (checkList.first { $0.state == .waiting } ?? checkList.first { $0.state == .frozen })?.id
        }
        guard let id = next, let index = checkList.firstIndex(where: { $0.id == id }) else { return }
        checkList[index].state = .inProgress
        counters.checksSent += 1
        if checkingSince == nil { checkingSince = now }
        if state == .new { setState(.checking) }
        sendCheck(local: id.local, remote: id.remote, purpose: .check(id, nominate: false, role: role), useCandidate: false, now: now)
        nextCheckAt = now + configuration.pacing
    }

    /// Regular nomination (RFC 8445 §8.1.1): the controlling agent repeats a check with USE-CANDIDATE
    /// on the best valid pair.
    private mutating func nominate(_ now: ContinuousClock.Instant) {
        nominateAt = nil
        guard role == .controlling, !hasNominatedPair, nominating == nil,
              let best = checkList.first(where: { $0.state == .succeeded }) else { return }
        nominating = best.id
        counters.checksSent += 1
        sendCheck(local: best.id.local, remote: best.id.remote, purpose: .check(best.id, nominate: true, role: role),
                  useCandidate: true, now: now)
    }

    /// Whether this generation of checks (since the last restart) has nominated a pair; an older
    /// generation's ``selectedPair`` may still carry data meanwhile.
    private var hasNominatedPair: Bool { checkList.contains { $0.nominated && $0.state == .succeeded } }

    private mutating func select(_ pair: CandidatePair, now: ContinuousClock.Instant) {
        let changed = selectedPair?.id != pair.id
        selectedPair = pair
        triggered.removeAll()
        if changed { emit(.event(.selectedPairChanged(pair))) }
        lastConsent = now
        nextConsentAt = now + jittered(configuration.consentInterval)
        setState(.connected)
    }

    private mutating func switchRole(to newRole: ICERole, now: ContinuousClock.Instant) {
        role = newRole
        for i in checkList.indices { checkList[i].updatePriority(role: role) }
        sortCheckList()
        emit(.event(.roleChanged(role)))
        if role == .controlling, !hasNominatedPair, checkList.contains(where: { $0.state == .succeeded }) {
            nominateAt = now + configuration.nominationDelay
        }
    }

    private mutating func failIfNothingLeft() {
        guard selectedPair == nil, state == .checking || state == .new, remoteEndOfCandidates, gatheringState == .complete,
              !checkList.isEmpty, checkList.allSatisfy({ $0.state == .failed }) else { return }
        setState(.failed)
    }

    private mutating func resetChecks() {
        remoteCandidates = []
        checkList = []
        triggered = []
        pending = pending.filter { if case .gather = $0.value.purpose { true } else { false } }
        nominating = nil
        nominateAt = nil
        nextCheckAt = nil
        checkingSince = nil
        remoteEndOfCandidates = false
    }

    // MARK: Consent freshness (RFC 7675)

    private mutating func refreshConsent(_ now: ContinuousClock.Instant) {
        guard selectedPair != nil, let lastConsent, state == .connected || state == .disconnected else { return }
        if now - lastConsent >= configuration.consentTimeout {
            nextConsentAt = nil
            setState(.failed)
            return
        }
        if state == .connected, now - lastConsent >= configuration.disconnectedTimeout { setState(.disconnected) }
        if let at = nextConsentAt, now >= at, let pair = selectedPair {
            nextConsentAt = now + jittered(configuration.consentInterval)
            sendCheck(local: pair.id.local, remote: pair.id.remote, purpose: .consent, useCandidate: false, now: now)
        }
    }

    private func jittered(_ interval: Duration) -> Duration {
        interval * Double.random(in: 0.8...1.2)
    }

    // MARK: Helpers

    private mutating func addLocalCandidate(_ candidate: ICECandidate) {
        localCandidates.append(candidate)
        emit(.event(.localCandidate(candidate)))
    }

    private mutating func completeGatheringIfDone() {
        guard gatheringState == .gathering,
              !pending.values.contains(where: { if case .gather = $0.purpose { true } else { false } }) else { return }
        gatheringState = .complete
        emit(.event(.gatheringComplete))
        failIfNothingLeft()
    }

    /// IPv6 bases first (RFC 8421 §4), then in the order the driver listed them.
    private func localPreference(of base: TransportAddress) -> UInt16 {
        let index = bases.firstIndex(of: base) ?? bases.count
        return UInt16(max(0, (base.ip.isIPv4 ? 32767 : 65535) - index))
    }

    private mutating func setState(_ newState: ICEConnectionState) {
        guard state != newState else { return }
        state = newState
        emit(.event(.stateChanged(newState)))
    }

    private mutating func emit(_ output: ICEOutput) {
        outputs.append(output)
    }

    private mutating func emit(_ event: ICEEvent) {
        outputs.append(.event(event))
    }
}
