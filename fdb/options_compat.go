package fdb

// The options below are accepted, as FoundationDB's Go binding accepts
// them, and do nothing: each tunes something of a FoundationDB cluster or
// client library that an in-process store does not have. They return
// ErrAPIVersionUnset before APIVersion (network options), and otherwise nil.

// SetLocalAddress is accepted and does nothing: it configures FoundationDB's
// client library, tracing or network, which plinth does not have
// (FoundationDB option 10).
//
// Deprecated: FoundationDB deprecates this option.
func (o NetworkOptions) SetLocalAddress(param string) error { return o.ignore(10) }

// SetClusterFile is accepted and does nothing: it configures FoundationDB's
// client library, tracing or network, which plinth does not have
// (FoundationDB option 20).
//
// Deprecated: FoundationDB deprecates this option.
func (o NetworkOptions) SetClusterFile(param string) error { return o.ignore(20) }

// SetTraceEnable is accepted and does nothing: it configures FoundationDB's
// client library, tracing or network, which plinth does not have
// (FoundationDB option 30).
func (o NetworkOptions) SetTraceEnable(param string) error { return o.ignore(30) }

// SetTraceRollSize is accepted and does nothing: it configures
// FoundationDB's client library, tracing or network, which plinth does not
// have (FoundationDB option 31).
func (o NetworkOptions) SetTraceRollSize(param int64) error { return o.ignore(31) }

// SetTraceMaxLogsSize is accepted and does nothing: it configures
// FoundationDB's client library, tracing or network, which plinth does not
// have (FoundationDB option 32).
func (o NetworkOptions) SetTraceMaxLogsSize(param int64) error { return o.ignore(32) }

// SetTraceLogGroup is accepted and does nothing: it configures
// FoundationDB's client library, tracing or network, which plinth does not
// have (FoundationDB option 33).
func (o NetworkOptions) SetTraceLogGroup(param string) error { return o.ignore(33) }

// SetTraceFormat is accepted and does nothing: it configures FoundationDB's
// client library, tracing or network, which plinth does not have
// (FoundationDB option 34).
func (o NetworkOptions) SetTraceFormat(param string) error { return o.ignore(34) }

// SetTraceClockSource is accepted and does nothing: it configures
// FoundationDB's client library, tracing or network, which plinth does not
// have (FoundationDB option 35).
func (o NetworkOptions) SetTraceClockSource(param string) error { return o.ignore(35) }

// SetTraceFileIdentifier is accepted and does nothing: it configures
// FoundationDB's client library, tracing or network, which plinth does not
// have (FoundationDB option 36).
func (o NetworkOptions) SetTraceFileIdentifier(param string) error { return o.ignore(36) }

// SetTraceShareAmongClientThreads is accepted and does nothing: it
// configures FoundationDB's client library, tracing or network, which plinth
// does not have (FoundationDB option 37).
func (o NetworkOptions) SetTraceShareAmongClientThreads() error { return o.ignore(37) }

// SetTraceInitializeOnSetup is accepted and does nothing: it configures
// FoundationDB's client library, tracing or network, which plinth does not
// have (FoundationDB option 38).
func (o NetworkOptions) SetTraceInitializeOnSetup() error { return o.ignore(38) }

// SetTracePartialFileSuffix is accepted and does nothing: it configures
// FoundationDB's client library, tracing or network, which plinth does not
// have (FoundationDB option 39).
func (o NetworkOptions) SetTracePartialFileSuffix(param string) error { return o.ignore(39) }

// SetKnob is accepted and does nothing: it configures FoundationDB's client
// library, tracing or network, which plinth does not have (FoundationDB
// option 40).
func (o NetworkOptions) SetKnob(param string) error { return o.ignore(40) }

// SetTLSPlugin is accepted and does nothing: it configures FoundationDB's
// client library, tracing or network, which plinth does not have
// (FoundationDB option 41).
//
// Deprecated: FoundationDB deprecates this option.
func (o NetworkOptions) SetTLSPlugin(param string) error { return o.ignore(41) }

// SetTLSCertBytes is accepted and does nothing: it configures FoundationDB's
// client library, tracing or network, which plinth does not have
// (FoundationDB option 42).
func (o NetworkOptions) SetTLSCertBytes(param []byte) error { return o.ignore(42) }

// SetTLSCertPath is accepted and does nothing: it configures FoundationDB's
// client library, tracing or network, which plinth does not have
// (FoundationDB option 43).
func (o NetworkOptions) SetTLSCertPath(param string) error { return o.ignore(43) }

// SetTLSKeyBytes is accepted and does nothing: it configures FoundationDB's
// client library, tracing or network, which plinth does not have
// (FoundationDB option 45).
func (o NetworkOptions) SetTLSKeyBytes(param []byte) error { return o.ignore(45) }

// SetTLSKeyPath is accepted and does nothing: it configures FoundationDB's
// client library, tracing or network, which plinth does not have
// (FoundationDB option 46).
func (o NetworkOptions) SetTLSKeyPath(param string) error { return o.ignore(46) }

// SetTLSVerifyPeers is accepted and does nothing: it configures
// FoundationDB's client library, tracing or network, which plinth does not
// have (FoundationDB option 47).
func (o NetworkOptions) SetTLSVerifyPeers(param []byte) error { return o.ignore(47) }

// SetBuggifyEnable is accepted and does nothing: it configures
// FoundationDB's client library, tracing or network, which plinth does not
// have (FoundationDB option 48).
func (o NetworkOptions) SetBuggifyEnable() error { return o.ignore(48) }

// SetBuggifyDisable is accepted and does nothing: it configures
// FoundationDB's client library, tracing or network, which plinth does not
// have (FoundationDB option 49).
func (o NetworkOptions) SetBuggifyDisable() error { return o.ignore(49) }

// SetBuggifySectionActivatedProbability is accepted and does nothing: it
// configures FoundationDB's client library, tracing or network, which plinth
// does not have (FoundationDB option 50).
func (o NetworkOptions) SetBuggifySectionActivatedProbability(param int64) error { return o.ignore(50) }

// SetBuggifySectionFiredProbability is accepted and does nothing: it
// configures FoundationDB's client library, tracing or network, which plinth
// does not have (FoundationDB option 51).
func (o NetworkOptions) SetBuggifySectionFiredProbability(param int64) error { return o.ignore(51) }

// SetTLSCaBytes is accepted and does nothing: it configures FoundationDB's
// client library, tracing or network, which plinth does not have
// (FoundationDB option 52).
func (o NetworkOptions) SetTLSCaBytes(param []byte) error { return o.ignore(52) }

// SetTLSCaPath is accepted and does nothing: it configures FoundationDB's
// client library, tracing or network, which plinth does not have
// (FoundationDB option 53).
func (o NetworkOptions) SetTLSCaPath(param string) error { return o.ignore(53) }

// SetTLSPassword is accepted and does nothing: it configures FoundationDB's
// client library, tracing or network, which plinth does not have
// (FoundationDB option 54).
func (o NetworkOptions) SetTLSPassword(param string) error { return o.ignore(54) }

// SetTLSDisablePlaintextConnection is accepted and does nothing: it
// configures FoundationDB's client library, tracing or network, which plinth
// does not have (FoundationDB option 55).
func (o NetworkOptions) SetTLSDisablePlaintextConnection() error { return o.ignore(55) }

// SetDisableMultiVersionClientApi is accepted and does nothing: it
// configures FoundationDB's client library, tracing or network, which plinth
// does not have (FoundationDB option 60).
func (o NetworkOptions) SetDisableMultiVersionClientApi() error { return o.ignore(60) }

// SetCallbacksOnExternalThreads is accepted and does nothing: it configures
// FoundationDB's client library, tracing or network, which plinth does not
// have (FoundationDB option 61).
func (o NetworkOptions) SetCallbacksOnExternalThreads() error { return o.ignore(61) }

// SetExternalClientLibrary is accepted and does nothing: it configures
// FoundationDB's client library, tracing or network, which plinth does not
// have (FoundationDB option 62).
func (o NetworkOptions) SetExternalClientLibrary(param string) error { return o.ignore(62) }

// SetExternalClientDirectory is accepted and does nothing: it configures
// FoundationDB's client library, tracing or network, which plinth does not
// have (FoundationDB option 63).
func (o NetworkOptions) SetExternalClientDirectory(param string) error { return o.ignore(63) }

// SetDisableLocalClient is accepted and does nothing: it configures
// FoundationDB's client library, tracing or network, which plinth does not
// have (FoundationDB option 64).
func (o NetworkOptions) SetDisableLocalClient() error { return o.ignore(64) }

// SetClientThreadsPerVersion is accepted and does nothing: it configures
// FoundationDB's client library, tracing or network, which plinth does not
// have (FoundationDB option 65).
func (o NetworkOptions) SetClientThreadsPerVersion(param int64) error { return o.ignore(65) }

// SetFutureVersionClientLibrary is accepted and does nothing: it configures
// FoundationDB's client library, tracing or network, which plinth does not
// have (FoundationDB option 66).
func (o NetworkOptions) SetFutureVersionClientLibrary(param string) error { return o.ignore(66) }

// SetRetainClientLibraryCopies is accepted and does nothing: it configures
// FoundationDB's client library, tracing or network, which plinth does not
// have (FoundationDB option 67).
func (o NetworkOptions) SetRetainClientLibraryCopies() error { return o.ignore(67) }

// SetIgnoreExternalClientFailures is accepted and does nothing: it
// configures FoundationDB's client library, tracing or network, which plinth
// does not have (FoundationDB option 68).
func (o NetworkOptions) SetIgnoreExternalClientFailures() error { return o.ignore(68) }

// SetFailIncompatibleClient is accepted and does nothing: it configures
// FoundationDB's client library, tracing or network, which plinth does not
// have (FoundationDB option 69).
func (o NetworkOptions) SetFailIncompatibleClient() error { return o.ignore(69) }

// SetDisableClientStatisticsLogging is accepted and does nothing: it
// configures FoundationDB's client library, tracing or network, which plinth
// does not have (FoundationDB option 70).
func (o NetworkOptions) SetDisableClientStatisticsLogging() error { return o.ignore(70) }

// SetEnableSlowTaskProfiling is accepted and does nothing: it configures
// FoundationDB's client library, tracing or network, which plinth does not
// have (FoundationDB option 71).
//
// Deprecated: FoundationDB deprecates this option.
func (o NetworkOptions) SetEnableSlowTaskProfiling() error { return o.ignore(71) }

// SetEnableRunLoopProfiling is accepted and does nothing: it configures
// FoundationDB's client library, tracing or network, which plinth does not
// have (FoundationDB option 71).
func (o NetworkOptions) SetEnableRunLoopProfiling() error { return o.ignore(71) }

// SetDisableClientBypass is accepted and does nothing: it configures
// FoundationDB's client library, tracing or network, which plinth does not
// have (FoundationDB option 72).
func (o NetworkOptions) SetDisableClientBypass() error { return o.ignore(72) }

// SetClientBuggifyEnable is accepted and does nothing: it configures
// FoundationDB's client library, tracing or network, which plinth does not
// have (FoundationDB option 80).
func (o NetworkOptions) SetClientBuggifyEnable() error { return o.ignore(80) }

// SetClientBuggifyDisable is accepted and does nothing: it configures
// FoundationDB's client library, tracing or network, which plinth does not
// have (FoundationDB option 81).
func (o NetworkOptions) SetClientBuggifyDisable() error { return o.ignore(81) }

// SetClientBuggifySectionActivatedProbability is accepted and does nothing:
// it configures FoundationDB's client library, tracing or network, which
// plinth does not have (FoundationDB option 82).
func (o NetworkOptions) SetClientBuggifySectionActivatedProbability(param int64) error {
	return o.ignore(82)
}

// SetClientBuggifySectionFiredProbability is accepted and does nothing: it
// configures FoundationDB's client library, tracing or network, which plinth
// does not have (FoundationDB option 83).
func (o NetworkOptions) SetClientBuggifySectionFiredProbability(param int64) error {
	return o.ignore(83)
}

// SetTraceIp is accepted and does nothing: it configures FoundationDB's
// client library, tracing or network, which plinth does not have
// (FoundationDB option 84).
func (o NetworkOptions) SetTraceIp(param string) error { return o.ignore(84) }

// SetDistributedClientTracer is accepted and does nothing: it configures
// FoundationDB's client library, tracing or network, which plinth does not
// have (FoundationDB option 90).
func (o NetworkOptions) SetDistributedClientTracer(param string) error { return o.ignore(90) }

// SetClientTmpDir is accepted and does nothing: it configures FoundationDB's
// client library, tracing or network, which plinth does not have
// (FoundationDB option 91).
func (o NetworkOptions) SetClientTmpDir(param string) error { return o.ignore(91) }

// SetLocationCacheSize is accepted and does nothing: it tunes a connection
// to a cluster, which plinth does not have (FoundationDB option 10).
func (o DatabaseOptions) SetLocationCacheSize(param int64) error { return o.ignore(10) }

// SetMachineId is accepted and does nothing: it tunes a connection to a
// cluster, which plinth does not have (FoundationDB option 21).
func (o DatabaseOptions) SetMachineId(param string) error { return o.ignore(21) }

// SetDatacenterId is accepted and does nothing: it tunes a connection to a
// cluster, which plinth does not have (FoundationDB option 22).
func (o DatabaseOptions) SetDatacenterId(param string) error { return o.ignore(22) }

// SetTransactionLoggingMaxFieldLength is accepted and does nothing: it tunes
// a connection to a cluster, which plinth does not have (FoundationDB option
// 405).
func (o DatabaseOptions) SetTransactionLoggingMaxFieldLength(param int64) error { return o.ignore(405) }

// SetTransactionCausalReadRisky is accepted and does nothing: it tunes a
// connection to a cluster, which plinth does not have (FoundationDB option
// 504).
func (o DatabaseOptions) SetTransactionCausalReadRisky() error { return o.ignore(504) }

// SetTransactionIncludePortInAddress is accepted and does nothing: it tunes
// a connection to a cluster, which plinth does not have (FoundationDB option
// 505).
//
// Deprecated: FoundationDB deprecates this option.
func (o DatabaseOptions) SetTransactionIncludePortInAddress() error { return o.ignore(505) }

// SetTransactionAutomaticIdempotency is accepted and does nothing: it tunes
// a connection to a cluster, which plinth does not have (FoundationDB option
// 506).
func (o DatabaseOptions) SetTransactionAutomaticIdempotency() error { return o.ignore(506) }

// SetTransactionBypassUnreadable is accepted and does nothing: it tunes a
// connection to a cluster, which plinth does not have (FoundationDB option
// 700).
func (o DatabaseOptions) SetTransactionBypassUnreadable() error { return o.ignore(700) }

// SetTransactionUsedDuringCommitProtectionDisable is accepted and does
// nothing: it tunes a connection to a cluster, which plinth does not have
// (FoundationDB option 701).
func (o DatabaseOptions) SetTransactionUsedDuringCommitProtectionDisable() error {
	return o.ignore(701)
}

// SetTransactionReportConflictingKeys is accepted and does nothing: it tunes
// a connection to a cluster, which plinth does not have (FoundationDB option
// 702).
func (o DatabaseOptions) SetTransactionReportConflictingKeys() error { return o.ignore(702) }

// SetTestCausalReadRisky is accepted and does nothing: it tunes a connection
// to a cluster, which plinth does not have (FoundationDB option 900).
func (o DatabaseOptions) SetTestCausalReadRisky(param int64) error { return o.ignore(900) }

// SetCausalWriteRisky is accepted and does nothing: it concerns a cluster's
// servers, priorities, tenants or tracing, which plinth does not have
// (FoundationDB option 10).
func (o TransactionOptions) SetCausalWriteRisky() error { return o.ignore(10) }

// SetCausalReadRisky is accepted and does nothing: it concerns a cluster's
// servers, priorities, tenants or tracing, which plinth does not have
// (FoundationDB option 20).
func (o TransactionOptions) SetCausalReadRisky() error { return o.ignore(20) }

// SetCausalReadDisable is accepted and does nothing: it concerns a cluster's
// servers, priorities, tenants or tracing, which plinth does not have
// (FoundationDB option 21).
func (o TransactionOptions) SetCausalReadDisable() error { return o.ignore(21) }

// SetIncludePortInAddress is accepted and does nothing: it concerns a
// cluster's servers, priorities, tenants or tracing, which plinth does not
// have (FoundationDB option 23).
func (o TransactionOptions) SetIncludePortInAddress() error { return o.ignore(23) }

// SetReadAheadDisable is accepted and does nothing: it concerns a cluster's
// servers, priorities, tenants or tracing, which plinth does not have
// (FoundationDB option 52).
//
// Deprecated: FoundationDB deprecates this option.
func (o TransactionOptions) SetReadAheadDisable() error { return o.ignore(52) }

// SetReadServerSideCacheEnable is accepted and does nothing: it concerns a
// cluster's servers, priorities, tenants or tracing, which plinth does not
// have (FoundationDB option 507).
func (o TransactionOptions) SetReadServerSideCacheEnable() error { return o.ignore(507) }

// SetReadServerSideCacheDisable is accepted and does nothing: it concerns a
// cluster's servers, priorities, tenants or tracing, which plinth does not
// have (FoundationDB option 508).
func (o TransactionOptions) SetReadServerSideCacheDisable() error { return o.ignore(508) }

// SetReadPriorityNormal is accepted and does nothing: it concerns a
// cluster's servers, priorities, tenants or tracing, which plinth does not
// have (FoundationDB option 509).
func (o TransactionOptions) SetReadPriorityNormal() error { return o.ignore(509) }

// SetReadPriorityLow is accepted and does nothing: it concerns a cluster's
// servers, priorities, tenants or tracing, which plinth does not have
// (FoundationDB option 510).
func (o TransactionOptions) SetReadPriorityLow() error { return o.ignore(510) }

// SetReadPriorityHigh is accepted and does nothing: it concerns a cluster's
// servers, priorities, tenants or tracing, which plinth does not have
// (FoundationDB option 511).
func (o TransactionOptions) SetReadPriorityHigh() error { return o.ignore(511) }

// SetDurabilityDatacenter is accepted and does nothing: it concerns a
// cluster's servers, priorities, tenants or tracing, which plinth does not
// have (FoundationDB option 110).
func (o TransactionOptions) SetDurabilityDatacenter() error { return o.ignore(110) }

// SetDurabilityRisky is accepted and does nothing: it concerns a cluster's
// servers, priorities, tenants or tracing, which plinth does not have
// (FoundationDB option 120).
func (o TransactionOptions) SetDurabilityRisky() error { return o.ignore(120) }

// SetDurabilityDevNullIsWebScale is accepted and does nothing: it concerns a
// cluster's servers, priorities, tenants or tracing, which plinth does not
// have (FoundationDB option 130).
//
// Deprecated: FoundationDB deprecates this option.
func (o TransactionOptions) SetDurabilityDevNullIsWebScale() error { return o.ignore(130) }

// SetPrioritySystemImmediate is accepted and does nothing: it concerns a
// cluster's servers, priorities, tenants or tracing, which plinth does not
// have (FoundationDB option 200).
func (o TransactionOptions) SetPrioritySystemImmediate() error { return o.ignore(200) }

// SetPriorityBatch is accepted and does nothing: it concerns a cluster's
// servers, priorities, tenants or tracing, which plinth does not have
// (FoundationDB option 201).
func (o TransactionOptions) SetPriorityBatch() error { return o.ignore(201) }

// SetInitializeNewDatabase is accepted and does nothing: it concerns a
// cluster's servers, priorities, tenants or tracing, which plinth does not
// have (FoundationDB option 300).
func (o TransactionOptions) SetInitializeNewDatabase() error { return o.ignore(300) }

// SetRawAccess is accepted and does nothing: it concerns a cluster's
// servers, priorities, tenants or tracing, which plinth does not have
// (FoundationDB option 303).
func (o TransactionOptions) SetRawAccess() error { return o.ignore(303) }

// SetBypassStorageQuota is accepted and does nothing: it concerns a
// cluster's servers, priorities, tenants or tracing, which plinth does not
// have (FoundationDB option 304).
func (o TransactionOptions) SetBypassStorageQuota() error { return o.ignore(304) }

// SetDebugRetryLogging is accepted and does nothing: it concerns a cluster's
// servers, priorities, tenants or tracing, which plinth does not have
// (FoundationDB option 401).
func (o TransactionOptions) SetDebugRetryLogging(param string) error { return o.ignore(401) }

// SetTransactionLoggingEnable is accepted and does nothing: it concerns a
// cluster's servers, priorities, tenants or tracing, which plinth does not
// have (FoundationDB option 402).
//
// Deprecated: FoundationDB deprecates this option.
func (o TransactionOptions) SetTransactionLoggingEnable(param string) error { return o.ignore(402) }

// SetDebugTransactionIdentifier is accepted and does nothing: it concerns a
// cluster's servers, priorities, tenants or tracing, which plinth does not
// have (FoundationDB option 403).
func (o TransactionOptions) SetDebugTransactionIdentifier(param string) error { return o.ignore(403) }

// SetLogTransaction is accepted and does nothing: it concerns a cluster's
// servers, priorities, tenants or tracing, which plinth does not have
// (FoundationDB option 404).
func (o TransactionOptions) SetLogTransaction() error { return o.ignore(404) }

// SetTransactionLoggingMaxFieldLength is accepted and does nothing: it
// concerns a cluster's servers, priorities, tenants or tracing, which plinth
// does not have (FoundationDB option 405).
func (o TransactionOptions) SetTransactionLoggingMaxFieldLength(param int64) error {
	return o.ignore(405)
}

// SetServerRequestTracing is accepted and does nothing: it concerns a
// cluster's servers, priorities, tenants or tracing, which plinth does not
// have (FoundationDB option 406).
func (o TransactionOptions) SetServerRequestTracing() error { return o.ignore(406) }

// SetAutomaticIdempotency is accepted and does nothing: it concerns a
// cluster's servers, priorities, tenants or tracing, which plinth does not
// have (FoundationDB option 505).
func (o TransactionOptions) SetAutomaticIdempotency() error { return o.ignore(505) }

// SetLockAware is accepted and does nothing: it concerns a cluster's
// servers, priorities, tenants or tracing, which plinth does not have
// (FoundationDB option 700).
func (o TransactionOptions) SetLockAware() error { return o.ignore(700) }

// SetUsedDuringCommitProtectionDisable is accepted and does nothing: it
// concerns a cluster's servers, priorities, tenants or tracing, which plinth
// does not have (FoundationDB option 701).
func (o TransactionOptions) SetUsedDuringCommitProtectionDisable() error { return o.ignore(701) }

// SetReadLockAware is accepted and does nothing: it concerns a cluster's
// servers, priorities, tenants or tracing, which plinth does not have
// (FoundationDB option 702).
func (o TransactionOptions) SetReadLockAware() error { return o.ignore(702) }

// SetUseProvisionalProxies is accepted and does nothing: it concerns a
// cluster's servers, priorities, tenants or tracing, which plinth does not
// have (FoundationDB option 711).
func (o TransactionOptions) SetUseProvisionalProxies() error { return o.ignore(711) }

// SetReportConflictingKeys is accepted and does nothing: it concerns a
// cluster's servers, priorities, tenants or tracing, which plinth does not
// have (FoundationDB option 712).
func (o TransactionOptions) SetReportConflictingKeys() error { return o.ignore(712) }

// SetSpecialKeySpaceRelaxed is accepted and does nothing: it concerns a
// cluster's servers, priorities, tenants or tracing, which plinth does not
// have (FoundationDB option 713).
func (o TransactionOptions) SetSpecialKeySpaceRelaxed() error { return o.ignore(713) }

// SetSpecialKeySpaceEnableWrites is accepted and does nothing: it concerns a
// cluster's servers, priorities, tenants or tracing, which plinth does not
// have (FoundationDB option 714).
func (o TransactionOptions) SetSpecialKeySpaceEnableWrites() error { return o.ignore(714) }

// SetTag is accepted and does nothing: it concerns a cluster's servers,
// priorities, tenants or tracing, which plinth does not have (FoundationDB
// option 800).
func (o TransactionOptions) SetTag(param string) error { return o.ignore(800) }

// SetAutoThrottleTag is accepted and does nothing: it concerns a cluster's
// servers, priorities, tenants or tracing, which plinth does not have
// (FoundationDB option 801).
func (o TransactionOptions) SetAutoThrottleTag(param string) error { return o.ignore(801) }

// SetSpanParent is accepted and does nothing: it concerns a cluster's
// servers, priorities, tenants or tracing, which plinth does not have
// (FoundationDB option 900).
func (o TransactionOptions) SetSpanParent(param []byte) error { return o.ignore(900) }

// SetExpensiveClearCostEstimationEnable is accepted and does nothing: it
// concerns a cluster's servers, priorities, tenants or tracing, which plinth
// does not have (FoundationDB option 1000).
func (o TransactionOptions) SetExpensiveClearCostEstimationEnable() error { return o.ignore(1000) }

// SetBypassUnreadable is accepted and does nothing: it concerns a cluster's
// servers, priorities, tenants or tracing, which plinth does not have
// (FoundationDB option 1100).
func (o TransactionOptions) SetBypassUnreadable() error { return o.ignore(1100) }

// SetUseGrvCache is accepted and does nothing: it concerns a cluster's
// servers, priorities, tenants or tracing, which plinth does not have
// (FoundationDB option 1101).
func (o TransactionOptions) SetUseGrvCache() error { return o.ignore(1101) }

// SetMaxGrvQueueDelay is accepted and does nothing: it concerns a cluster's
// servers, priorities, tenants or tracing, which plinth does not have
// (FoundationDB option 1103).
func (o TransactionOptions) SetMaxGrvQueueDelay(param int64) error { return o.ignore(1103) }

// SetAuthorizationToken is accepted and does nothing: it concerns a
// cluster's servers, priorities, tenants or tracing, which plinth does not
// have (FoundationDB option 2000).
func (o TransactionOptions) SetAuthorizationToken(param string) error { return o.ignore(2000) }

// SetEnableReplicaConsistencyCheck is accepted and does nothing: it concerns
// a cluster's servers, priorities, tenants or tracing, which plinth does not
// have (FoundationDB option 4000).
func (o TransactionOptions) SetEnableReplicaConsistencyCheck() error { return o.ignore(4000) }

// SetConsistencyCheckRequiredReplicas is accepted and does nothing: it
// concerns a cluster's servers, priorities, tenants or tracing, which plinth
// does not have (FoundationDB option 4001).
func (o TransactionOptions) SetConsistencyCheckRequiredReplicas(param int64) error {
	return o.ignore(4001)
}
