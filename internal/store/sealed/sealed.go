// Package sealed wraps a store.Store so that personal data is encrypted at
// rest and kept only as long as a case needs it.
//
// Facts a user types for a complaint draft (engine.FreeTextFact: the
// complainant's name, phone and address, the merchant's name and address,
// the demand) are sealed with AES-256-GCM before Put and opened after
// Get; the rest of the session (the dispute's answers, dates, amounts)
// stays readable, as the store's compare-and-set needs nothing of it. A
// sealed value is "enc:v1:" and the base64 of nonce and ciphertext, bound
// to the session key and the fact's name, so it cannot be moved to
// another chat or fact.
//
// The complainant's details (engine.PersonalFact) are dropped
// PersonalTTL after the first was kept (Session.PersonalSince): a Get
// past that returns the session without them, and the next Put stores it
// so. A draft asked for again asks for them anew.
//
// Sessions stored before (plain values) load as they are and are sealed
// on their next Put. Without a key nothing is sealed; values sealed
// before with a key no longer given cannot be opened and are dropped, as
// is anything that fails to open.
package sealed

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/store"
)

// DefaultPersonalTTL is how long the complainant's details are kept: time
// to draft the 12315 complaint, file it and correct it.
const DefaultPersonalTTL = 14 * 24 * time.Hour

// KeySize is the length of a key: AES-256.
const KeySize = 32

const prefix = "enc:v1:"

// Store is a store.Store that seals personal facts.
type Store struct {
	store.Store
	aead cipher.AEAD // nil: no key, nothing sealed
	ttl  time.Duration
	now  func() time.Time
}

// New wraps st. key is KeySize bytes, or nil to seal nothing; ttl is how
// long personal facts are kept (DefaultPersonalTTL if <= 0); now is the
// clock (time.Now if nil).
func New(st store.Store, key []byte, ttl time.Duration, now func() time.Time) (*Store, error) {
	s := &Store{Store: st, ttl: ttl, now: now}
	if s.ttl <= 0 {
		s.ttl = DefaultPersonalTTL
	}
	if s.now == nil {
		s.now = time.Now
	}
	if key != nil {
		if len(key) != KeySize {
			return nil, fmt.Errorf("session key is %d bytes, want %d", len(key), KeySize)
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, err
		}
		if s.aead, err = cipher.NewGCM(block); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// ParseKey reads a base64 key (standard or URL alphabet, padded or not).
func ParseKey(v string) ([]byte, error) {
	v = strings.TrimSpace(v)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(v); err == nil {
			if len(k) != KeySize {
				return nil, fmt.Errorf("decodes to %d bytes, want %d", len(k), KeySize)
			}
			return k, nil
		}
	}
	return nil, errors.New("is not base64")
}

// Sealing reports whether a key is set.
func (s *Store) Sealing() bool { return s.aead != nil }

// Get implements store.Store.
func (s *Store) Get(ctx context.Context, key string) (engine.Session, error) {
	sess, err := s.Store.Get(ctx, key)
	if err != nil {
		return sess, err
	}
	sess = s.open(key, sess)
	if !sess.PersonalSince.IsZero() && !s.now().Before(sess.PersonalSince.Add(s.ttl)) && engine.HasPersonal(sess) {
		sess = engine.DropPersonal(sess)
	}
	return sess, nil
}

// Put implements store.Store. The session returned is the one given
// (plain), with its new version.
func (s *Store) Put(ctx context.Context, key string, sess engine.Session) (engine.Session, error) {
	if !sess.PersonalSince.IsZero() && !s.now().Before(sess.PersonalSince.Add(s.ttl)) && engine.HasPersonal(sess) {
		// Past their time, as Get would find them: a step from a session
		// read before (a front end's cache) must not keep them.
		sess = engine.DropPersonal(sess)
	}
	if sess.PersonalSince.IsZero() && engine.HasPersonal(sess) {
		// Kept as it is from then on (a new case clears it: engine).
		sess.PersonalSince = s.now()
	}
	saved, err := s.Store.Put(ctx, key, s.seal(key, sess))
	if err != nil {
		return saved, err
	}
	sess.Version = saved.Version
	return sess, nil
}

// seal returns a copy of sess with its free-text facts sealed.
func (s *Store) seal(key string, sess engine.Session) engine.Session {
	if s.aead == nil {
		return sess
	}
	return mapFacts(sess, func(fact, v string) (string, bool) {
		nonce := make([]byte, s.aead.NonceSize())
		if _, err := rand.Read(nonce); err != nil {
			// crypto/rand does not fail on supported systems; should it,
			// the detail is not stored in clear instead.
			return "", false
		}
		ct := s.aead.Seal(nonce, nonce, []byte(v), aad(key, fact))
		return prefix + base64.RawStdEncoding.EncodeToString(ct), true
	})
}

// open returns sess with its sealed facts opened; those that cannot be
// opened are dropped.
func (s *Store) open(key string, sess engine.Session) engine.Session {
	return mapFacts(sess, func(fact, v string) (string, bool) {
		if !strings.HasPrefix(v, prefix) {
			return v, true // stored before sealing, or without a key
		}
		if s.aead == nil {
			return "", false
		}
		ct, err := base64.RawStdEncoding.DecodeString(v[len(prefix):])
		n := s.aead.NonceSize()
		if err != nil || len(ct) < n {
			return "", false
		}
		pt, err := s.aead.Open(nil, ct[:n], ct[n:], aad(key, fact))
		if err != nil {
			return "", false
		}
		return string(pt), true
	})
}

func aad(key, fact string) []byte { return []byte(key + "\x00" + fact) }

// mapFacts returns a copy of sess with f applied to every free-text
// fact's value, in the facts, the history and a pending proposal; a fact
// for which f returns false is removed.
func mapFacts(sess engine.Session, f func(fact, v string) (string, bool)) engine.Session {
	m := func(facts map[string]string) map[string]string {
		var out map[string]string
		for k, v := range facts {
			if !engine.FreeTextFact(k) {
				continue
			}
			if out == nil {
				out = make(map[string]string, len(facts))
				for k2, v2 := range facts {
					out[k2] = v2
				}
			}
			if nv, ok := f(k, v); ok {
				out[k] = nv
			} else {
				delete(out, k)
			}
		}
		if out == nil {
			return facts
		}
		return out
	}
	sess.Facts = m(sess.Facts)
	if len(sess.History) > 0 {
		h := make([]engine.Frame, len(sess.History))
		for i, fr := range sess.History {
			fr.Facts = m(fr.Facts)
			h[i] = fr
		}
		sess.History = h
	}
	if sess.Pending != nil {
		p := *sess.Pending
		p.Facts = m(p.Facts)
		sess.Pending = &p
	}
	return sess
}

// Reminders returns the wrapped store's reminders, if it keeps them.
func (s *Store) Reminders() (store.Reminders, bool) {
	r, ok := s.Store.(store.Reminders)
	return r, ok
}
