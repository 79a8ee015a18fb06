package kv

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestErrorCodesAndSentinels(t *testing.T) {
	for _, tc := range []struct {
		sentinel error
		code     int
		retry    bool
	}{
		{ErrTransactionTooOld, 1007, true},
		{ErrFutureVersion, 1009, true},
		{ErrNotCommitted, 1020, true},
		{ErrTransactionCancelled, 1025, false},
		{ErrTransactionTimedOut, 1031, false},
		{ErrAccessedUnreadable, 1036, false},
		{ErrClientInvalidOperation, 2000, false},
		{ErrKeyOutsideLegalRange, 2004, false},
		{ErrInvertedRange, 2005, false},
		{ErrUsedDuringCommit, 2017, false},
		{ErrNoCommitVersion, 2021, false},
		{ErrTransactionTooLarge, 2101, false},
		{ErrKeyTooLarge, 2102, false},
		{ErrValueTooLarge, 2103, false},
		{ErrDatabaseClosed, codeDatabaseClosed, false},
	} {
		t.Run(fmt.Sprint(tc.code), func(t *testing.T) {
			var e *Error
			require.True(t, errors.As(tc.sentinel, &e))
			require.Equal(t, tc.code, e.Code)
			fresh := newError(tc.code, "some detail")
			require.ErrorIs(t, fresh, tc.sentinel, "a fresh error with the code matches the sentinel")
			require.ErrorIs(t, fmt.Errorf("wrapped: %w", fresh), tc.sentinel)
			require.Equal(t, tc.retry, IsRetryable(fresh))
			require.Equal(t, tc.retry, IsRetryable(fmt.Errorf("ctx: %w", fresh)))
			require.Contains(t, fresh.Error(), "some detail")
			require.Contains(t, fresh.Error(), fmt.Sprint(tc.code))
		})
	}
	require.False(t, IsRetryable(errors.New("plain")))
	require.False(t, IsRetryable(nil))
	require.False(t, IsRetryable(context.Canceled))
	require.NotErrorIs(t, newError(1020, ""), ErrTransactionTooOld)
}

func TestConflictErrorIsNotCommitted(t *testing.T) {
	var err error = &ConflictError{Begin: []byte("a"), End: []byte("b\x00"), Version: 7, ReadVersion: 3}
	require.ErrorIs(t, err, ErrNotCommitted)
	require.True(t, IsRetryable(err))
	var e *Error
	require.True(t, errors.As(err, &e))
	require.Equal(t, 1020, e.Code)
	require.Contains(t, err.Error(), `[a, b\x00)`)
	require.Contains(t, err.Error(), "version 7")
}

func TestPrefixRange(t *testing.T) {
	r, err := PrefixRange([]byte("ab"))
	require.NoError(t, err)
	require.Equal(t, KeyRange{[]byte("ab"), []byte("ac")}, r)
	r, err = PrefixRange([]byte("a\xff\xff"))
	require.NoError(t, err)
	require.Equal(t, []byte("b"), r.End)
	for _, bad := range [][]byte{nil, {}, {0xff}, {0xff, 0xff}} {
		_, err := PrefixRange(bad)
		require.ErrorIs(t, err, ErrClientInvalidOperation, "%q", bad)
	}
}
