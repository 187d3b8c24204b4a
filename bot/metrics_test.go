package bot

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/disputebot/disputebot/bot/telegramtest"
	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/store"
	"github.com/disputebot/disputebot/internal/store/memstore"
)

// metricsRecorder is a Metrics that keeps what it was told.
type metricsRecorder struct {
	mu     sync.Mutex
	counts map[string]int
}

func newMetricsRecorder() *metricsRecorder { return &metricsRecorder{counts: map[string]int{}} }

func (r *metricsRecorder) add(k string) { r.mu.Lock(); r.counts[k]++; r.mu.Unlock() }
func (r *metricsRecorder) get(k string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.counts[k]
}
func (r *metricsRecorder) Update(kind, result string, _ time.Duration) {
	r.add("update " + kind + " " + result)
}
func (r *metricsRecorder) Duplicate(layer string)              { r.add("dup " + layer) }
func (r *metricsRecorder) APICall(method, code string)         { r.add("api " + method + " " + code) }
func (r *metricsRecorder) StoreConflict()                      { r.add("conflict") }
func (r *metricsRecorder) Owed(result string)                  { r.add("owed " + result) }
func (r *metricsRecorder) Consultation(category, phase string) { r.add(phase + " " + category) }
func (r *metricsRecorder) Classified(outcome, category string) {
	r.add("classified " + outcome + " " + category)
}

func TestObservedStoreCountsConsultationsAndConflicts(t *testing.T) {
	cat := &engine.Catalog{Menu: "root", Trees: map[string]*engine.Tree{
		"root": {ID: "root", Nodes: map[string]*engine.Node{"pick": {ID: "pick"}}},
		"food": {ID: "food", Category: "food_safety", Nodes: map[string]*engine.Node{
			"ask": {ID: "ask"}, "more": {ID: "more"}, "advice": {ID: "advice", Kind: engine.Outcome},
		}},
	}}
	m := newMetricsRecorder()
	st := newObservedStore(memstore.New(0, nil), m, cat)
	ctx := context.Background()
	step := func(tree, node string) {
		t.Helper()
		s, err := st.Get(ctx, "tg:1")
		if err != nil && err != store.ErrNotFound {
			t.Fatal(err)
		}
		s.Tree, s.Node = tree, node
		if _, err := st.Put(ctx, "tg:1", s); err != nil {
			t.Fatal(err)
		}
	}
	step("root", "pick")
	step("food", "ask")    // started
	step("food", "more")   // neither
	step("food", "advice") // finished
	step("food", "advice") // no move: not again
	step("food", "more")   // Back
	step("food", "advice") // finished again
	step("root", "pick")   // the menu
	step("food", "ask")    // started again
	for k, want := range map[string]int{"started food_safety": 2, "finished food_safety": 2, "conflict": 0} {
		if got := m.get(k); got != want {
			t.Errorf("%s = %d, want %d (all: %v)", k, got, want, m.counts)
		}
	}
	s, _ := st.Get(ctx, "tg:1")
	if _, err := st.Put(ctx, "tg:1", s); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Put(ctx, "tg:1", s); err == nil {
		t.Fatal("stale put succeeded")
	}
	if m.get("conflict") != 1 {
		t.Errorf("conflict = %d, want 1", m.get("conflict"))
	}
}

func TestReadyz(t *testing.T) {
	h := newHarness(t)
	var fail error
	hang := false
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	cfg := h.config()
	cfg.Ready = func(ctx context.Context) error {
		if hang {
			<-release // a Redis that never answers, ignoring ctx
		}
		return fail
	}
	b := h.newBot(cfg)
	get := func(path string) (int, time.Duration) {
		start := time.Now()
		rec := httptest.NewRecorder()
		b.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec.Code, time.Since(start)
	}
	if code, _ := get("/readyz"); code != http.StatusOK {
		t.Errorf("ready: %d", code)
	}
	fail = store.ErrUnavailable
	if code, _ := get("/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("store down: %d, want 503", code)
	}
	hang = true
	if code, took := get("/readyz"); code != http.StatusServiceUnavailable || took > readyTimeout+time.Second {
		t.Errorf("store hanging: %d after %v, want 503 after %v", code, took, readyTimeout)
	}
	if code, _ := get("/healthz"); code != http.StatusOK {
		t.Errorf("healthz: %d", code)
	}
}

func TestAPICallsCounted(t *testing.T) {
	h := newHarness(t)
	m := newMetricsRecorder()
	h.start(func(c *Config) { c.Metrics = m })
	u := h.api.NewUser(3100, "Lin", "en")
	h.api.FailNext("sendMessage", telegramtest.ServerError())
	upd := u.Text("/start")
	h.api.Push(upd)
	h.waitHandled(upd.ID, 1)
	if m.get("api sendMessage 500") != 1 || m.get("api sendMessage ok") != 1 {
		t.Errorf("api calls: %v", m.counts)
	}
	if m.get("update command:start ok") != 1 {
		t.Errorf("updates: %v", m.counts)
	}
}
