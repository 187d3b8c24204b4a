package bot

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	tgbot "github.com/go-telegram/bot"

	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/store"
)

// Metrics records what the bot does, for an operator's dashboard. It is
// called from many goroutines, on the hot path: implementations must be
// safe for concurrent use and must not block. Every label is from a small
// fixed set (kinds, results, method names, codes, category ids), never
// user data.
type Metrics interface {
	// Update: one update handled, its kind ("text", "callback:choose",
	// "command:start"...), its result ("ok", "duplicate",
	// "store_unavailable"...) and how long it took.
	Update(kind, result string, took time.Duration)
	// Duplicate: an update already applied was delivered again, caught by
	// this process ("process") or by the session's update ids ("session").
	Duplicate(layer string)
	// APICall: one Bot API request (each retry is one), by method, with
	// its code: "ok", the HTTP status ("400", "429", "502"...), "timeout"
	// or "network".
	APICall(method, code string)
	// StoreConflict: a compare-and-set lost to a concurrent step; the
	// step is retried on the fresh session.
	StoreConflict()
	// Consultation: a chat entered a category ("started") or reached one
	// of its outcomes ("finished").
	Consultation(category, phase string)
	// Classified: a free-text description was read: "matched" (one
	// category proposed), "unsure" (alternatives offered) or "none".
	Classified(outcome, category string)
	// Owed: the replies of a saved step could not be delivered and are
	// owed ("recorded"), or a debt was settled: "paid" (delivered later),
	// "void" (the chat moved on, or its case is gone) or "dropped".
	Owed(result string)
}

// noMetrics records nothing.
type noMetrics struct{}

func (noMetrics) Update(string, string, time.Duration) {}
func (noMetrics) Duplicate(string)                     {}
func (noMetrics) APICall(string, string)               {}
func (noMetrics) StoreConflict()                       {}
func (noMetrics) Consultation(string, string)          {}
func (noMetrics) Classified(string, string)            {}
func (noMetrics) Owed(string)                          {}

// apiCode is an API call's outcome for metrics.
func apiCode(err error) string {
	var tmr *tgbot.TooManyRequestsError
	var ne net.Error
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &tmr):
		return strconv.Itoa(http.StatusTooManyRequests)
	case errors.Is(err, tgbot.ErrorForbidden):
		return strconv.Itoa(http.StatusForbidden)
	case errors.Is(err, tgbot.ErrorBadRequest):
		return strconv.Itoa(http.StatusBadRequest)
	case errors.Is(err, tgbot.ErrorUnauthorized):
		return strconv.Itoa(http.StatusUnauthorized)
	case errors.Is(err, tgbot.ErrorNotFound):
		return strconv.Itoa(http.StatusNotFound)
	case errors.Is(err, tgbot.ErrorConflict):
		return strconv.Itoa(http.StatusConflict)
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case fiveXX.MatchString(err.Error()):
		return fiveXX.FindStringSubmatch(err.Error())[1]
	case retryable(err):
		return "network"
	}
	return "other"
}

// counted wraps a Bot API call to record each attempt.
func (s *sender) counted(method string, call func(context.Context) error) func(context.Context) error {
	m := s.metrics
	if m == nil {
		return call
	}
	return func(ctx context.Context) error {
		err := call(ctx)
		m.APICall(method, apiCode(err))
		return err
	}
}

// observedStore is the advisor's store as the bot sees it: it counts lost
// compare-and-sets, and consultations starting and finishing, from where a
// chat stood when its session was read and where it stands once saved.
//
// The advisor reads a session just before stepping and saving it (or
// starts from the one it saved last: advisor.Cache), and a chat's updates
// are handled one at a time in this process, so the last read or save of
// a key is the state the saved step started from. A read from
// elsewhere in between (a summary page) reads the same state, or the save
// conflicts and the advisor reads again.
type observedStore struct {
	store.Store
	m   Metrics
	cat *engine.Catalog

	mu   sync.Mutex
	read map[string]place
}

type place struct{ tree, node string }

// maxRemembered bounds what observedStore keeps between a read and a save;
// past it, it forgets (at worst a start or finish is not counted).
const maxRemembered = 8192

func newObservedStore(s store.Store, m Metrics, cat *engine.Catalog) *observedStore {
	return &observedStore{Store: s, m: m, cat: cat, read: map[string]place{}}
}

func (o *observedStore) Get(ctx context.Context, key string) (engine.Session, error) {
	s, err := o.Store.Get(ctx, key)
	if err == nil || errors.Is(err, store.ErrNotFound) {
		o.mu.Lock()
		if len(o.read) >= maxRemembered {
			clear(o.read)
		}
		o.read[key] = place{s.Tree, s.Node}
		o.mu.Unlock()
	}
	return s, err
}

func (o *observedStore) Put(ctx context.Context, key string, s engine.Session) (engine.Session, error) {
	saved, err := o.Store.Put(ctx, key, s)
	if errors.Is(err, store.ErrConflict) {
		o.m.StoreConflict()
	}
	if err != nil {
		return saved, err
	}
	now := place{saved.Tree, saved.Node}
	o.mu.Lock()
	if len(o.read) >= maxRemembered {
		clear(o.read)
	}
	before, ok := o.read[key]
	// Where the next step starts if it starts from the advisor's cache,
	// without a read.
	o.read[key] = now
	o.mu.Unlock()
	if !ok || now == before {
		return saved, nil
	}
	if cat := o.category(now.tree); cat != "" {
		if now.tree != before.tree {
			o.m.Consultation(cat, "started")
		}
		if n := o.cat.Trees[now.tree].Nodes[now.node]; n != nil && n.Kind == engine.Outcome {
			o.m.Consultation(cat, "finished")
		}
	}
	return saved, nil
}

func (o *observedStore) Delete(ctx context.Context, key string) error {
	o.mu.Lock()
	delete(o.read, key)
	o.mu.Unlock()
	return o.Store.Delete(ctx, key)
}

// category is the dispute category a tree serves, "" for the menu.
func (o *observedStore) category(tree string) string {
	t := o.cat.Trees[tree]
	if t == nil || tree == o.cat.Menu {
		return ""
	}
	if t.Category != "" {
		return t.Category
	}
	return t.ID
}

// observedDescriber counts how free-text descriptions are read.
type observedDescriber struct {
	d Describer
	m Metrics
}

func (o observedDescriber) Describe(text string) (engine.Proposal, bool) {
	p, ok := o.d.Describe(text)
	switch {
	case !ok:
		o.m.Classified("none", "")
	case len(p.Alternatives) > 0:
		o.m.Classified("unsure", p.Category)
	default:
		o.m.Classified("matched", p.Category)
	}
	return p, ok
}

// observe hooks m into the bot: the sender, the advisor's store and
// describer. Called once from New.
func (b *Bot) observe(m Metrics) {
	if m == nil {
		m = noMetrics{}
	}
	b.metrics = m
	b.out.metrics = m
	b.adv.Store = newObservedStore(b.adv.Store, m, b.cfg.Catalog)
	if b.adv.Describer != nil {
		b.adv.Describer = observedDescriber{b.adv.Describer, m}
	}
}

// readyTimeout bounds the readiness check, so a hung store answers 503
// quickly instead of holding the probe.
const readyTimeout = 2 * time.Second

// serveReady answers GET /readyz: 200 when Config.Ready passes within
// readyTimeout, 503 otherwise. The reason is logged by class, not sent.
func (b *Bot) serveReady(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if b.cfg.Ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- b.cfg.Ready(ctx) }()
		var err error
		select {
		case err = <-done:
		case <-ctx.Done():
			err = ctx.Err()
		}
		if err != nil {
			b.log.Warn("not ready", "class", errClass(err))
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("not ready"))
			return
		}
	}
	w.Write([]byte("ready"))
}

// record counts a handled update.
func (b *Bot) record(kind, result string, took time.Duration) {
	if kind == "" {
		kind = "other"
	}
	b.metrics.Update(kind, result, took)
	if result == "duplicate" {
		b.metrics.Duplicate("session")
	}
}
