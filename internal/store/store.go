// Package store keeps sessions between messages. The Store interface is the
// contract; memstore and redisstore implement it and both must pass the
// conformance suite in storetest.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/disputebot/disputebot/internal/engine"
)

var (
	// ErrNotFound: no session is stored under the key (never stored,
	// deleted, or expired).
	ErrNotFound = errors.New("session not found")
	// ErrConflict: the compare-and-set lost; someone else saved the session
	// since it was read. The caller re-reads and re-steps.
	ErrConflict = errors.New("session changed concurrently")
	// ErrUnavailable wraps failures to reach the backing service, so
	// adapters can tell the user "try again in a minute" instead of failing.
	ErrUnavailable = errors.New("session store unavailable")
)

// Store is the contract every session store fulfils.
//
// Keys are opaque strings chosen by the caller ("tg:123456", "cli:alice").
type Store interface {
	// Get returns the session stored under key, or ErrNotFound.
	Get(ctx context.Context, key string) (engine.Session, error)

	// Put saves s under key if and only if the stored version still equals
	// s.Version (0 means "must not exist yet"). On success the stored
	// session has Version s.Version+1, which is returned, and the key's
	// expiry is refreshed to the store's TTL. Otherwise it returns
	// ErrConflict and stores nothing.
	Put(ctx context.Context, key string, s engine.Session) (engine.Session, error)

	// Delete removes the session under key. Deleting a missing key is not
	// an error.
	Delete(ctx context.Context, key string) error

	// PutLink points a share token at a session key for the store's TTL,
	// so a summary link stops working when the case would have expired.
	// Calling it again refreshes the expiry.
	PutLink(ctx context.Context, token, key string) error
	// GetLink returns the session key a token points at, or ErrNotFound.
	GetLink(ctx context.Context, token string) (string, error)
	// DeleteLink revokes a token. Revoking a missing token is not an error.
	DeleteLink(ctx context.Context, token string) error
}

// DefaultTTL is how long an idle session is kept: long enough to come back
// to a dispute days later, short enough not to hoard personal data.
const DefaultTTL = 30 * 24 * time.Hour
