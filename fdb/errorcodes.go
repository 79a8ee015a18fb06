package fdb

// FoundationDB's error codes, one sentinel per code, named as the Go binding names
// them. Compare with errors.Is (Error.Is matches on the code), never with ==
// on a wrapped error:
//
//	errors.Is(err, fdb.ErrNotCommitted)
//
// Error.Error prints the code's message as FoundationDB's client library
// reports it.
var (
	ErrSuccess                                = Error{Code: 0}
	ErrEndOfStream                            = Error{Code: 1}
	ErrOperationFailed                        = Error{Code: 1000}
	ErrWrongShardServer                       = Error{Code: 1001}
	ErrOperationObsolete                      = Error{Code: 1002}
	ErrTimedOut                               = Error{Code: 1004}
	ErrCoordinatedStateConflict               = Error{Code: 1005}
	ErrAllAlternativesFailed                  = Error{Code: 1006}
	ErrTransactionTooOld                      = Error{Code: 1007}
	ErrNoMoreServers                          = Error{Code: 1008}
	ErrFutureVersion                          = Error{Code: 1009}
	ErrMovekeysConflict                       = Error{Code: 1010}
	ErrTLogStopped                            = Error{Code: 1011}
	ErrServerRequestQueueFull                 = Error{Code: 1012}
	ErrNotCommitted                           = Error{Code: 1020}
	ErrCommitUnknownResult                    = Error{Code: 1021}
	ErrCommitUnknownResultFatal               = Error{Code: 1022}
	ErrTransactionCancelled                   = Error{Code: 1025}
	ErrConnectionFailed                       = Error{Code: 1026}
	ErrCoordinatorsChanged                    = Error{Code: 1027}
	ErrNewCoordinatorsTimedOut                = Error{Code: 1028}
	ErrWatchCancelled                         = Error{Code: 1029}
	ErrRequestMaybeDelivered                  = Error{Code: 1030}
	ErrTransactionTimedOut                    = Error{Code: 1031}
	ErrTooManyWatches                         = Error{Code: 1032}
	ErrLocalityInformationUnavailable         = Error{Code: 1033}
	ErrWatchesDisabled                        = Error{Code: 1034}
	ErrDefaultErrorOr                         = Error{Code: 1035}
	ErrAccessedUnreadable                     = Error{Code: 1036}
	ErrProcessBehind                          = Error{Code: 1037}
	ErrDatabaseLocked                         = Error{Code: 1038}
	ErrClusterVersionChanged                  = Error{Code: 1039}
	ErrExternalClientAlreadyLoaded            = Error{Code: 1040}
	ErrLookupFailed                           = Error{Code: 1041}
	ErrCommitProxyMemoryLimitExceeded         = Error{Code: 1042}
	ErrShutdownInProgress                     = Error{Code: 1043}
	ErrSerializationFailed                    = Error{Code: 1044}
	ErrConnectionUnreferenced                 = Error{Code: 1048}
	ErrConnectionIdle                         = Error{Code: 1049}
	ErrDiskAdapterReset                       = Error{Code: 1050}
	ErrBatchTransactionThrottled              = Error{Code: 1051}
	ErrDdCancelled                            = Error{Code: 1052}
	ErrDdNotFound                             = Error{Code: 1053}
	ErrWrongConnectionFile                    = Error{Code: 1054}
	ErrVersionAlreadyCompacted                = Error{Code: 1055}
	ErrLocalConfigChanged                     = Error{Code: 1056}
	ErrUnsupportedFormatVersion               = Error{Code: 1058}
	ErrUnknownChangeFeed                      = Error{Code: 1059}
	ErrChangeFeedNotRegistered                = Error{Code: 1060}
	ErrChangeFeedCancelled                    = Error{Code: 1062}
	ErrChangeFeedPopped                       = Error{Code: 1066}
	ErrPageHeaderWrongPageID                  = Error{Code: 1068}
	ErrPageHeaderChecksumFailed               = Error{Code: 1069}
	ErrPageHeaderVersionNotSupported          = Error{Code: 1070}
	ErrPageEncodingNotSupported               = Error{Code: 1071}
	ErrPageDecodingFailed                     = Error{Code: 1072}
	ErrUnexpectedEncodingType                 = Error{Code: 1073}
	ErrEncryptionKeyNotFound                  = Error{Code: 1074}
	ErrDataMoveCancelled                      = Error{Code: 1075}
	ErrDataMoveDestTeamNotFound               = Error{Code: 1076}
	ErrGRVProxyMemoryLimitExceeded            = Error{Code: 1078}
	ErrStorageTooManyFeedStreams              = Error{Code: 1080}
	ErrStorageEngineNotInitialized            = Error{Code: 1081}
	ErrUnknownStorageEngine                   = Error{Code: 1082}
	ErrDuplicateSnapshotRequest               = Error{Code: 1083}
	ErrDdConfigChanged                        = Error{Code: 1084}
	ErrConsistencyCheckUrgentTaskFailed       = Error{Code: 1085}
	ErrDataMoveConflict                       = Error{Code: 1086}
	ErrConsistencyCheckUrgentDuplicateRequest = Error{Code: 1087}
	ErrBrokenPromise                          = Error{Code: 1100}
	ErrOperationCancelled                     = Error{Code: 1101}
	ErrFutureReleased                         = Error{Code: 1102}
	ErrConnectionLeaked                       = Error{Code: 1103}
	ErrNeverReply                             = Error{Code: 1104}
	ErrRetry                                  = Error{Code: 1105}
	ErrRecruitmentFailed                      = Error{Code: 1200}
	ErrMoveToRemovedServer                    = Error{Code: 1201}
	ErrWorkerRemoved                          = Error{Code: 1202}
	ErrClusterRecoveryFailed                  = Error{Code: 1203}
	ErrMasterMaxVersionsInFlight              = Error{Code: 1204}
	ErrTLogFailed                             = Error{Code: 1205}
	ErrWorkerRecoveryFailed                   = Error{Code: 1206}
	ErrPleaseReboot                           = Error{Code: 1207}
	ErrPleaseRebootDelete                     = Error{Code: 1208}
	ErrCommitProxyFailed                      = Error{Code: 1209}
	ErrResolverFailed                         = Error{Code: 1210}
	ErrServerOverloaded                       = Error{Code: 1211}
	ErrBackupWorkerFailed                     = Error{Code: 1212}
	ErrTagThrottled                           = Error{Code: 1213}
	ErrGRVProxyFailed                         = Error{Code: 1214}
	ErrDdTrackerCancelled                     = Error{Code: 1215}
	ErrFailedToProgress                       = Error{Code: 1216}
	ErrInvalidClusterID                       = Error{Code: 1217}
	ErrRestartClusterController               = Error{Code: 1218}
	ErrPleaseRebootKVStore                    = Error{Code: 1219}
	ErrIncompatibleSoftwareVersion            = Error{Code: 1220}
	ErrAuditStorageFailed                     = Error{Code: 1221}
	ErrAuditStorageExceededRequestLimit       = Error{Code: 1222}
	ErrKeyValueStoreDeadlineExceeded          = Error{Code: 1224}
	ErrAuditStorageError                      = Error{Code: 1226}
	ErrMasterFailed                           = Error{Code: 1227}
	ErrTestFailed                             = Error{Code: 1228}
	ErrRetryCleanUpDatamoveTombstoneAdded     = Error{Code: 1229}
	ErrPersistNewAuditMetadataError           = Error{Code: 1230}
	ErrCancelAuditStorageFailed               = Error{Code: 1231}
	ErrAuditStorageCancelled                  = Error{Code: 1232}
	ErrLocationMetadataCorruption             = Error{Code: 1233}
	ErrAuditStorageTaskOutdated               = Error{Code: 1234}
	ErrTransactionThrottledHotShard           = Error{Code: 1235}
	ErrStorageReplicaComparisonError          = Error{Code: 1236}
	ErrUnreachableStorageReplica              = Error{Code: 1237}
	ErrBulkloadTaskFailed                     = Error{Code: 1238}
	ErrBulkloadTaskOutdated                   = Error{Code: 1239}
	ErrRangeLockFailed                        = Error{Code: 1241}
	ErrTransactionRejectedRangeLocked         = Error{Code: 1242}
	ErrBulkdumpTaskFailed                     = Error{Code: 1243}
	ErrBulkdumpTaskOutdated                   = Error{Code: 1244}
	ErrBulkloadFilesetInvalidFilepath         = Error{Code: 1245}
	ErrBulkloadManifestDecodeError            = Error{Code: 1246}
	ErrRangeLockReject                        = Error{Code: 1247}
	ErrRangeUnlockReject                      = Error{Code: 1248}
	ErrBulkloadDatasetNotCoverRequiredRange   = Error{Code: 1249}
	ErrBulkloadInvalidConfiguration           = Error{Code: 1250}
	ErrTransactionGRVQueueRejected            = Error{Code: 1251}
	ErrFinishMoveKeysTooManyRetries           = Error{Code: 1252}
	ErrStartMoveKeysTooManyRetries            = Error{Code: 1253}
	ErrCdcProxyFailed                         = Error{Code: 1254}
	ErrCdcTLogPeekReplyTooLarge               = Error{Code: 1255}
	ErrPlatformError                          = Error{Code: 1500}
	ErrLargeAllocFailed                       = Error{Code: 1501}
	ErrPerformanceCounterError                = Error{Code: 1502}
	ErrBadAllocator                           = Error{Code: 1503}
	ErrIOError                                = Error{Code: 1510}
	ErrFileNotFound                           = Error{Code: 1511}
	ErrBindFailed                             = Error{Code: 1512}
	ErrFileNotReadable                        = Error{Code: 1513}
	ErrFileNotWritable                        = Error{Code: 1514}
	ErrNoClusterFileFound                     = Error{Code: 1515}
	ErrFileTooLarge                           = Error{Code: 1516}
	ErrNonSequentialOp                        = Error{Code: 1517}
	ErrHTTPBadResponse                        = Error{Code: 1518}
	ErrHTTPNotAccepted                        = Error{Code: 1519}
	ErrChecksumFailed                         = Error{Code: 1520}
	ErrIOTimeout                              = Error{Code: 1521}
	ErrFileCorrupt                            = Error{Code: 1522}
	ErrHTTPRequestFailed                      = Error{Code: 1523}
	ErrHTTPAuthFailed                         = Error{Code: 1524}
	ErrHTTPBadRequestID                       = Error{Code: 1525}
	ErrRestInvalidURI                         = Error{Code: 1526}
	ErrRestInvalidRestClientKnob              = Error{Code: 1527}
	ErrRestConnectpoolKeyNotFound             = Error{Code: 1528}
	ErrLockFileFailure                        = Error{Code: 1529}
	ErrRestUnsupportedProtocol                = Error{Code: 1530}
	ErrRestMalformedResponse                  = Error{Code: 1531}
	ErrRestMaxBaseCipherLen                   = Error{Code: 1532}
	ErrResourceNotFound                       = Error{Code: 1533}
	ErrClientInvalidOperation                 = Error{Code: 2000}
	ErrCommitReadIncomplete                   = Error{Code: 2002}
	ErrTestSpecificationInvalid               = Error{Code: 2003}
	ErrKeyOutsideLegalRange                   = Error{Code: 2004}
	ErrInvertedRange                          = Error{Code: 2005}
	ErrInvalidOptionValue                     = Error{Code: 2006}
	ErrInvalidOption                          = Error{Code: 2007}
	ErrNetworkNotSetup                        = Error{Code: 2008}
	ErrNetworkAlreadySetup                    = Error{Code: 2009}
	ErrReadVersionAlreadySet                  = Error{Code: 2010}
	ErrVersionInvalid                         = Error{Code: 2011}
	ErrRangeLimitsInvalid                     = Error{Code: 2012}
	ErrInvalidDatabaseName                    = Error{Code: 2013}
	ErrAttributeNotFound                      = Error{Code: 2014}
	ErrFutureNotSet                           = Error{Code: 2015}
	ErrFutureNotError                         = Error{Code: 2016}
	ErrUsedDuringCommit                       = Error{Code: 2017}
	ErrInvalidMutationType                    = Error{Code: 2018}
	ErrAttributeTooLarge                      = Error{Code: 2019}
	ErrTransactionInvalidVersion              = Error{Code: 2020}
	ErrNoCommitVersion                        = Error{Code: 2021}
	ErrEnvironmentVariableNetworkOptionFailed = Error{Code: 2022}
	ErrTransactionReadOnly                    = Error{Code: 2023}
	ErrInvalidCacheEvictionPolicy             = Error{Code: 2024}
	ErrNetworkCannotBeRestarted               = Error{Code: 2025}
	ErrBlockedFromNetworkThread               = Error{Code: 2026}
	ErrMapperBadIndex                         = Error{Code: 2030}
	ErrMapperNoSuchKey                        = Error{Code: 2031}
	ErrQuickGetKeyValuesHasMore               = Error{Code: 2033}
	ErrQuickGetValueMiss                      = Error{Code: 2034}
	ErrQuickGetKeyValuesMiss                  = Error{Code: 2035}
	ErrGetMappedKeyValuesHasMore              = Error{Code: 2038}
	ErrGetMappedRangeReadsYourWrites          = Error{Code: 2039}
	ErrCheckpointNotFound                     = Error{Code: 2040}
	ErrKeyNotTuple                            = Error{Code: 2041}
	ErrValueNotTuple                          = Error{Code: 2042}
	ErrMapperNotTuple                         = Error{Code: 2043}
	ErrInvalidCheckpointFormat                = Error{Code: 2044}
	ErrFailedToCreateCheckpoint               = Error{Code: 2046}
	ErrFailedToRestoreCheckpoint              = Error{Code: 2047}
	ErrFailedToCreateCheckpointShardMetadata  = Error{Code: 2048}
	ErrAddressParseError                      = Error{Code: 2049}
	ErrIncompatibleProtocolVersion            = Error{Code: 2100}
	ErrTransactionTooLarge                    = Error{Code: 2101}
	ErrKeyTooLarge                            = Error{Code: 2102}
	ErrValueTooLarge                          = Error{Code: 2103}
	ErrConnectionStringInvalid                = Error{Code: 2104}
	ErrAddressInUse                           = Error{Code: 2105}
	ErrInvalidLocalAddress                    = Error{Code: 2106}
	ErrTLSError                               = Error{Code: 2107}
	ErrUnsupportedOperation                   = Error{Code: 2108}
	ErrTooManyTags                            = Error{Code: 2109}
	ErrTagTooLong                             = Error{Code: 2110}
	ErrTooManyTagThrottles                    = Error{Code: 2111}
	ErrSpecialKeysCrossModuleRead             = Error{Code: 2112}
	ErrSpecialKeysNoModuleFound               = Error{Code: 2113}
	ErrSpecialKeysWriteDisabled               = Error{Code: 2114}
	ErrSpecialKeysNoWriteModuleFound          = Error{Code: 2115}
	ErrSpecialKeysCrossModuleClear            = Error{Code: 2116}
	ErrSpecialKeysAPIFailure                  = Error{Code: 2117}
	ErrClientLibInvalidMetadata               = Error{Code: 2118}
	ErrClientLibAlreadyExists                 = Error{Code: 2119}
	ErrClientLibNotFound                      = Error{Code: 2120}
	ErrClientLibNotAvailable                  = Error{Code: 2121}
	ErrClientLibInvalidBinary                 = Error{Code: 2122}
	ErrNoExternalClientProvided               = Error{Code: 2123}
	ErrAllExternalClientsFailed               = Error{Code: 2124}
	ErrIncompatibleClient                     = Error{Code: 2125}
	ErrAPIVersionUnset                        = Error{Code: 2200}
	ErrAPIVersionAlreadySet                   = Error{Code: 2201}
	ErrAPIVersionInvalid                      = Error{Code: 2202}
	ErrAPIVersionNotSupported                 = Error{Code: 2203}
	ErrAPIFunctionMissing                     = Error{Code: 2204}
	ErrExactModeWithoutLimits                 = Error{Code: 2210}
	ErrInvalidTupleDataType                   = Error{Code: 2250}
	ErrInvalidTupleIndex                      = Error{Code: 2251}
	ErrKeyNotInSubspace                       = Error{Code: 2252}
	ErrManualPrefixesNotEnabled               = Error{Code: 2253}
	ErrPrefixInPartition                      = Error{Code: 2254}
	ErrCannotOpenRootDirectory                = Error{Code: 2255}
	ErrDirectoryAlreadyExists                 = Error{Code: 2256}
	ErrDirectoryDoesNotExist                  = Error{Code: 2257}
	ErrParentDirectoryDoesNotExist            = Error{Code: 2258}
	ErrMismatchedLayer                        = Error{Code: 2259}
	ErrInvalidDirectoryLayerMetadata          = Error{Code: 2260}
	ErrCannotMoveDirectoryBetweenPartitions   = Error{Code: 2261}
	ErrCannotUsePartitionAsSubspace           = Error{Code: 2262}
	ErrIncompatibleDirectoryVersion           = Error{Code: 2263}
	ErrDirectoryPrefixNotEmpty                = Error{Code: 2264}
	ErrDirectoryPrefixInUse                   = Error{Code: 2265}
	ErrInvalidDestinationDirectory            = Error{Code: 2266}
	ErrCannotModifyRootDirectory              = Error{Code: 2267}
	ErrInvalidUUIDSize                        = Error{Code: 2268}
	ErrInvalidVersionstampSize                = Error{Code: 2269}
	ErrBackupError                            = Error{Code: 2300}
	ErrRestoreError                           = Error{Code: 2301}
	ErrBackupDuplicate                        = Error{Code: 2311}
	ErrBackupUnneeded                         = Error{Code: 2312}
	ErrBackupBadBlockSize                     = Error{Code: 2313}
	ErrBackupInvalidURL                       = Error{Code: 2314}
	ErrBackupInvalidInfo                      = Error{Code: 2315}
	ErrBackupCannotExpire                     = Error{Code: 2316}
	ErrBackupAuthMissing                      = Error{Code: 2317}
	ErrBackupAuthUnreadable                   = Error{Code: 2318}
	ErrBackupDoesNotExist                     = Error{Code: 2319}
	ErrBackupNotFilterableWithKeyRanges       = Error{Code: 2320}
	ErrBackupNotOverlappedWithKeysFilter      = Error{Code: 2321}
	ErrBucketNotInURL                         = Error{Code: 2322}
	ErrRestoreInvalidVersion                  = Error{Code: 2361}
	ErrRestoreCorruptedData                   = Error{Code: 2362}
	ErrRestoreMissingData                     = Error{Code: 2363}
	ErrRestoreDuplicateTag                    = Error{Code: 2364}
	ErrRestoreUnknownTag                      = Error{Code: 2365}
	ErrRestoreUnknownFileType                 = Error{Code: 2366}
	ErrRestoreUnsupportedFileVersion          = Error{Code: 2367}
	ErrRestoreBadRead                         = Error{Code: 2368}
	ErrRestoreCorruptedDataPadding            = Error{Code: 2369}
	ErrRestoreDestinationNotEmpty             = Error{Code: 2370}
	ErrRestoreDuplicateUID                    = Error{Code: 2371}
	ErrTaskInvalidVersion                     = Error{Code: 2381}
	ErrTaskInterrupted                        = Error{Code: 2382}
	ErrInvalidEncryptionKeyFile               = Error{Code: 2383}
	ErrBlobRestoreMissingLogs                 = Error{Code: 2384}
	ErrBlobRestoreCorruptedLogs               = Error{Code: 2385}
	ErrBlobRestoreInvalidManifestURL          = Error{Code: 2386}
	ErrBlobRestoreCorruptedManifest           = Error{Code: 2387}
	ErrBlobRestoreMissingManifest             = Error{Code: 2388}
	ErrBlobMigratorReplaced                   = Error{Code: 2389}
	ErrRestoreBulkloadDatasetIncomplete       = Error{Code: 2390}
	ErrRestoreBulkloadFailed                  = Error{Code: 2391}
	ErrBackupBulkdumpTimeout                  = Error{Code: 2392}
	ErrBackupBulkdumpFailed                   = Error{Code: 2393}
	ErrKeyNotFound                            = Error{Code: 2400}
	ErrJSONMalformed                          = Error{Code: 2401}
	ErrJSONEofExpected                        = Error{Code: 2402}
	ErrSnapDisableTLogPopFailed               = Error{Code: 2500}
	ErrSnapStorageFailed                      = Error{Code: 2501}
	ErrSnapTLogFailed                         = Error{Code: 2502}
	ErrSnapCoordFailed                        = Error{Code: 2503}
	ErrSnapEnableTLogPopFailed                = Error{Code: 2504}
	ErrSnapPathNotWhitelisted                 = Error{Code: 2505}
	ErrSnapNotFullyRecoveredUnsupported       = Error{Code: 2506}
	ErrSnapLogAntiQuorumUnsupported           = Error{Code: 2507}
	ErrSnapWithRecoveryUnsupported            = Error{Code: 2508}
	ErrSnapInvalidUIDString                   = Error{Code: 2509}
	ErrEncryptOpsError                        = Error{Code: 2700}
	ErrEncryptHeaderMetadataMismatch          = Error{Code: 2701}
	ErrEncryptKeyNotFound                     = Error{Code: 2702}
	ErrEncryptKeyTTLExpired                   = Error{Code: 2703}
	ErrEncryptHeaderAuthtokenMismatch         = Error{Code: 2704}
	ErrEncryptUpdateCipher                    = Error{Code: 2705}
	ErrEncryptInvalidID                       = Error{Code: 2706}
	ErrEncryptKeysFetchFailed                 = Error{Code: 2707}
	ErrEncryptInvalidKMSConfig                = Error{Code: 2708}
	ErrEncryptUnsupported                     = Error{Code: 2709}
	ErrEncryptModeMismatch                    = Error{Code: 2710}
	ErrEncryptKeyCheckValueMismatch           = Error{Code: 2711}
	ErrEncryptMaxBaseCipherLen                = Error{Code: 2712}
	ErrUnknownError                           = Error{Code: 4000}
	ErrInternalError                          = Error{Code: 4100}
	ErrNotImplemented                         = Error{Code: 4200}
	ErrPermissionDenied                       = Error{Code: 6000}
	ErrUnauthorizedAttempt                    = Error{Code: 6001}
	ErrDigitalSignatureOpsError               = Error{Code: 6002}
	ErrAuthorizationTokenVerifyFailed         = Error{Code: 6003}
	ErrPkeyDecodeError                        = Error{Code: 6004}
	ErrPkeyEncodeError                        = Error{Code: 6005}
	ErrGRPCError                              = Error{Code: 7000}
)

// errorMessages holds FoundationDB's message for each of its error codes,
// the text FoundationDB's client library reports for the code.
var errorMessages = map[int]string{
	0:    "Success",
	1:    "End of stream",
	1000: "Operation failed",
	1001: "Shard is not available from this server",
	1002: "Operation result no longer necessary",
	1004: "Operation timed out",
	1005: "Conflict occurred while changing coordination information",
	1006: "All alternatives failed",
	1007: "Transaction is too old to perform reads or be committed",
	1008: "Not enough physical servers available",
	1009: "Request for future version",
	1010: "Conflicting attempts to change data distribution",
	1011: "TLog stopped",
	1012: "Server request queue is full",
	1020: "Transaction not committed due to conflict with another transaction",
	1021: "Transaction may or may not have committed",
	1022: "Idempotency id for transaction may have expired, so the commit status of the transaction cannot be determined",
	1025: "Operation aborted because the transaction was cancelled",
	1026: "Network connection failed",
	1027: "Coordination servers have changed",
	1028: "New coordination servers did not respond in a timely way",
	1029: "Watch cancelled because storage server watch limit exceeded",
	1030: "Request may or may not have been delivered",
	1031: "Operation aborted because the transaction timed out",
	1032: "Too many watches currently set",
	1033: "Locality information not available",
	1034: "Watches cannot be set if read your writes is disabled",
	1035: "Default error for an ErrorOr object",
	1036: "Read or wrote an unreadable key",
	1037: "Storage process does not have recent mutations",
	1038: "Database is locked",
	1039: "The protocol version of the cluster has changed",
	1040: "External client has already been loaded",
	1041: "DNS lookup failed",
	1042: "CommitProxy commit memory limit exceeded",
	1043: "Operation no longer supported due to shutdown",
	1044: "Failed to deserialize an object",
	1048: "No peer references for connection",
	1049: "Connection closed after idle timeout",
	1050: "The disk queue adapter reset",
	1051: "Batch GRV request rate limit exceeded",
	1052: "Data distribution components cancelled",
	1053: "Data distributor not found",
	1054: "Connection file mismatch",
	1055: "The requested changes have been compacted away",
	1056: "Local configuration file has changed. Restart and apply these changes",
	1058: "Format version not supported",
	1059: "Change feed not found",
	1060: "Change feed not registered",
	1062: "Change feed was cancelled",
	1066: "Tried to read a version older than what has been popped from the change feed",
	1068: "Page header does not match location on disk",
	1069: "Page header checksum failed",
	1070: "Page header version is not supported",
	1071: "Page encoding type is not supported or not valid",
	1072: "Page content decoding failed",
	1073: "Page content decoding failed",
	1074: "Encryption key not found",
	1075: "Data move was cancelled",
	1076: "Dest team was not found for data move",
	1078: "GetReadVersion proxy memory limit exceeded",
	1080: "Too many feed streams to a single storage server",
	1081: "Storage engine was never successfully initialized.",
	1082: "Storage engine type is not recognized.",
	1083: "A duplicate snapshot request has been sent, the old request is discarded.",
	1084: "DataDistribution configuration changed.",
	1085: "Consistency check urgent task is failed",
	1086: "Data move conflict in SS",
	1087: "Consistency check urgent got a duplicate request",
	1100: "Broken promise",
	1101: "Asynchronous operation cancelled",
	1102: "Future has been released",
	1103: "Connection object leaked",
	1104: "Never reply to the request",
	1105: "Retry operation",
	1200: "Recruitment of a server failed",
	1201: "Attempt to move keys to a storage server that was removed",
	1202: "Normal worker shut down",
	1203: "Cluster recovery failed",
	1204: "Master hit maximum number of versions in flight",
	1205: "Cluster recovery terminating because a TLog failed",
	1206: "Recovery of a worker process failed",
	1207: "Reboot of server process requested",
	1208: "Reboot of server process requested, with deletion of state",
	1209: "Master terminating because a CommitProxy failed",
	1210: "Cluster recovery terminating because a Resolver failed",
	1211: "Server is under too much load and cannot respond",
	1212: "Cluster recovery terminating because a backup worker failed",
	1213: "Transaction tag is being throttled",
	1214: "Cluster recovery terminating because a GRVProxy failed",
	1215: "The data distribution tracker has been cancelled",
	1216: "Process has failed to make sufficient progress",
	1217: "Attempted to join cluster with a different cluster ID",
	1218: "Restart cluster controller process",
	1219: "Need to reboot the storage engine",
	1220: "Current software does not support database format",
	1221: "Validate storage consistency operation failed",
	1222: "Exceeded the max number of allowed concurrent audit storage requests",
	1224: "Exceeded maximum time allowed to read or write.",
	1226: "Found data corruption",
	1227: "Cluster recovery terminating because master has failed",
	1228: "Test failed",
	1229: "Need background datamove cleanup",
	1230: "Persist new audit metadata error",
	1231: "Failed to cancel an audit",
	1232: "Audit has been cancelled",
	1233: "Found location metadata corruption",
	1234: "Audit task is scheduled by an outdated DD",
	1235: "Transaction throttled due to hot shard",
	1236: "Storage replicas not consistent",
	1237: "Storage replica cannot be reached",
	1238: "Bulk loading task failed",
	1239: "Bulk loading task outdated",
	1241: "Lock range failed",
	1242: "Transaction rejected due to range lock",
	1243: "Bulk dumping task failed",
	1244: "Bulk dumping task outdated",
	1245: "Bulkload fileset provides invalid filepath",
	1246: "Bulkload manifest string is failed to decode",
	1247: "Range lock is rejected",
	1248: "Range unlock is rejected",
	1249: "Bulkload dataset does not cover the required range",
	1250: "BulkLoad requires cluster configuration with both shard_encode_location_metadata=1 and enable_read_lock_on_range=1",
	1251: "GRV request rejected because estimated queue wait exceeds transaction limit",
	1252: "finishMoveKeys exceeded retry limit",
	1253: "startMoveKeys exceeded retry limit",
	1254: "Cluster recovery terminating because a CDCProxy failed",
	1255: "TLog CDC peek reply exceeds configured byte limit",
	1500: "Platform error",
	1501: "Large block allocation failed",
	1502: "QueryPerformanceCounter error",
	1503: "Null allocator was used to allocate memory",
	1510: "Disk i/o operation failed",
	1511: "File not found",
	1512: "Unable to bind to network",
	1513: "File could not be read",
	1514: "File could not be written",
	1515: "No cluster file found in current directory or default location",
	1516: "File too large to be read",
	1517: "Non sequential file operation not allowed",
	1518: "HTTP response was badly formed",
	1519: "HTTP request not accepted",
	1520: "A data checksum failed",
	1521: "A disk IO operation failed to complete in a timely manner",
	1522: "A structurally corrupt data file was detected",
	1523: "HTTP response code not received or indicated failure",
	1524: "HTTP request failed due to bad credentials",
	1525: "HTTP response contained an unexpected X-Request-ID header",
	1526: "Invalid REST URI",
	1527: "Invalid RESTClient knob",
	1528: "ConnectKey not found in connection pool",
	1529: "Unable to lock the file",
	1530: "Unsupported REST protocol",
	1531: "Malformed REST response",
	1532: "Max BaseCipher length violation",
	1533: "Requested resource was not found",
	2000: "Invalid API call",
	2002: "Commit with incomplete read",
	2003: "Invalid test specification",
	2004: "Key outside legal range",
	2005: "Range begin key larger than end key",
	2006: "Option set with an invalid value",
	2007: "Option not valid in this context",
	2008: "Action not possible before the network is configured",
	2009: "Network can be configured only once",
	2010: "Transaction already has a read version set",
	2011: "Version not valid",
	2012: "Range limits not valid",
	2013: "Database name must be 'DB'",
	2014: "Attribute not found",
	2015: "Future not ready",
	2016: "Future not an error",
	2017: "Operation issued while a commit was outstanding",
	2018: "Unrecognized atomic mutation type",
	2019: "Attribute too large for type int",
	2020: "Transaction does not have a valid commit version",
	2021: "Transaction is read-only and therefore does not have a commit version",
	2022: "Environment variable network option could not be set",
	2023: "Attempted to commit a transaction specified as read-only",
	2024: "Invalid cache eviction policy, only random and lru are supported",
	2025: "Network can only be started once",
	2026: "Detected a deadlock in a callback called from the network thread",
	2030: "The index in K[] or V[] is not a valid number or out of range",
	2031: "A mapped key is not set in database",
	2033: "One of the mapped range queries is too large",
	2034: "Found a mapped key that is not served in the same SS",
	2035: "Found a mapped range that is not served in the same SS",
	2038: "getMappedRange does not support continuation for now",
	2039: "getMappedRange tries to read data that were previously written in the transaction",
	2040: "Checkpoint not found",
	2041: "The key cannot be parsed as a tuple",
	2042: "The value cannot be parsed as a tuple",
	2043: "The mapper cannot be parsed as a tuple",
	2044: "Invalid checkpoint format",
	2046: "Failed to create a checkpoint",
	2047: "Failed to restore a checkpoint",
	2048: "Failed to dump shard metadata for a checkpoint to a sst file",
	2049: "Failed to parse address",
	2100: "Incompatible protocol version",
	2101: "Transaction exceeds byte limit",
	2102: "Key length exceeds limit",
	2103: "Value length exceeds limit",
	2104: "Connection string invalid",
	2105: "Local address in use",
	2106: "Invalid local address",
	2107: "TLS error",
	2108: "Operation is not supported",
	2109: "Too many tags set on transaction",
	2110: "Tag set on transaction is too long",
	2111: "Too many tag throttles have been created",
	2112: "Special key space range read crosses modules. Refer to the `special_key_space_relaxed' transaction option for more details.",
	2113: "Special key space range read does not intersect a module. Refer to the `special_key_space_relaxed' transaction option for more details.",
	2114: "Special Key space is not allowed to write by default. Refer to the `special_key_space_enable_writes` transaction option for more details.",
	2115: "Special key space key or keyrange in set or clear does not intersect a module",
	2116: "Special key space clear crosses modules",
	2117: "Api call through special keys failed. For more information, call get - within the same transaction - on special key 0xff0xff/error_message to get a json string of the error message.",
	2118: "Invalid client library metadata.",
	2119: "Client library with same identifier already exists on the cluster.",
	2120: "Client library for the given identifier not found.",
	2121: "Client library exists, but is not available for download.",
	2122: "Invalid client library binary.",
	2123: "No external client library provided.",
	2124: "All external clients have failed.",
	2125: "None of the available clients match the protocol version of the cluster.",
	2200: "API version is not set",
	2201: "API version may be set only once",
	2202: "API version not valid",
	2203: "API version not supported",
	2204: "Failed to load a required FDB API function.",
	2210: "EXACT streaming mode requires limits, but none were given",
	2250: "Unrecognized data type in packed tuple",
	2251: "Tuple does not have element at specified index",
	2252: "Cannot unpack key that is not in subspace",
	2253: "Cannot specify a prefix unless manual prefixes are enabled",
	2254: "Cannot specify a prefix in a partition",
	2255: "Root directory cannot be opened",
	2256: "Directory already exists",
	2257: "Directory does not exist",
	2258: "Directory's parent does not exist",
	2259: "Directory has already been created with a different layer string",
	2260: "Invalid directory layer metadata",
	2261: "Directory cannot be moved between partitions",
	2262: "Directory partition cannot be used as subspace",
	2263: "Directory layer was created with an incompatible version",
	2264: "Database has keys stored at the prefix chosen by the automatic prefix allocator",
	2265: "Directory layer already has a conflicting prefix",
	2266: "Target directory is invalid",
	2267: "Root directory cannot be modified",
	2268: "UUID is not sixteen bytes",
	2269: "Versionstamp is not exactly twelve bytes",
	2300: "Backup error",
	2301: "Restore error",
	2311: "Backup duplicate request",
	2312: "Backup unneeded request",
	2313: "Backup file block size too small",
	2314: "Backup Container URL invalid",
	2315: "Backup Container info invalid",
	2316: "Cannot expire requested data from backup without violating minimum restorability",
	2317: "Cannot find authentication details (such as a password or secret key) for the specified Backup Container URL",
	2318: "Cannot read or parse one or more sources of authentication information for Backup Container URLs",
	2319: "Backup does not exist",
	2320: "Backup before 6.3 cannot be filtered with key ranges",
	2321: "Backup key ranges doesn't overlap with key ranges filter",
	2322: "bucket is not in the URL for backup",
	2361: "Invalid restore version",
	2362: "Corrupted backup data",
	2363: "Missing backup data",
	2364: "Restore duplicate request",
	2365: "Restore tag does not exist",
	2366: "Unknown backup/restore file type",
	2367: "Unsupported backup file version",
	2368: "Unexpected number of bytes read",
	2369: "Backup file has unexpected padding bytes",
	2370: "Attempted to restore into a non-empty destination database",
	2371: "Attempted to restore using a UID that had been used for an aborted restore",
	2381: "Invalid task version",
	2382: "Task execution stopped due to timeout, abort, or completion by another worker",
	2383: "The provided encryption key file has invalid contents",
	2384: "Missing mutation logs",
	2385: "Corrupted mutation logs",
	2386: "Invalid manifest URL",
	2387: "Corrupted manifest",
	2388: "Missing manifest",
	2389: "Blob migrator is replaced",
	2390: "BulkDump dataset incomplete. Use --rangefile flag",
	2391: "BulkLoad operation failed",
	2392: "BulkDump operation timed out",
	2393: "BulkDump operation failed",
	2400: "Expected key is missing",
	2401: "JSON string was malformed",
	2402: "JSON string did not terminate where expected",
	2500: "Failed to disable tlog pops",
	2501: "Failed to snapshot storage nodes",
	2502: "Failed to snapshot TLog nodes",
	2503: "Failed to snapshot coordinator nodes",
	2504: "Failed to enable tlog pops",
	2505: "Snapshot create binary path not whitelisted",
	2506: "Unsupported when the cluster is not fully recovered",
	2507: "Unsupported when log anti quorum is configured",
	2508: "Cluster recovery during snapshot operation not supported",
	2509: "The given uid string is not a 32-length hex string",
	2700: "Encryption operation error",
	2701: "Encryption header metadata mismatch",
	2702: "Expected encryption key is missing",
	2703: "Expected encryption key TTL has expired",
	2704: "Encryption header authentication token mismatch",
	2705: "Attempt to update encryption cipher key",
	2706: "Invalid encryption cipher details",
	2707: "Encryption keys fetch from external KMS failed",
	2708: "Invalid encryption/kms configuration: discovery-url, validation-token, endpoint etc.",
	2709: "Encryption not supported",
	2710: "Encryption mode mismatch with configuration",
	2711: "Encryption key-check-value mismatch",
	2712: "Max BaseCipher buffer length violation",
	4000: "An unknown error occurred",
	4100: "An internal error occurred",
	4200: "Not implemented yet",
	6000: "Client tried to access unauthorized data",
	6001: "A untrusted client tried to send a message to a private endpoint",
	6002: "Digital signature operation error",
	6003: "Failed to verify authorization token",
	6004: "Failed to decode public/private key",
	6005: "Failed to encode public/private key",
	7000: "gRPC Error",
}
