package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/go-telegram/bot/models"
	"github.com/redis/go-redis/v9"
	"gopkg.in/yaml.v3"

	"github.com/disputebot/disputebot/bot/telegramtest"
	"github.com/disputebot/disputebot/dialogs"
	"github.com/disputebot/disputebot/internal/advisor"
	"github.com/disputebot/disputebot/internal/dialog"
	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/render"
	"github.com/disputebot/disputebot/internal/store/memstore"
	"github.com/disputebot/disputebot/internal/store/redisstore"
)

// consultation is a dialog test case's path, replayed in memory through
// the advisor the bot uses (today's date, the real classifier), which
// says where it must end and which of its updates change the case.
type consultation struct {
	name    string
	tree    string
	code    string // the user's Telegram language_code
	steps   []dialog.CaseStep
	changes []bool // per update (the /start first): does it change the case
	final   engine.Session
}

// consultations replays every case without facts of dialogs/*.test.yaml
// (alternating languages) and keeps those that reach an outcome.
func consultations(t *testing.T) []consultation {
	t.Helper()
	b, r, err := loadData(dataDirs("", ""))
	if err != nil {
		t.Fatal(err)
	}
	desc := newDescriber(io.Discard)
	names, _ := fs.Glob(dialogs.FS, "*.test.yaml")
	var out []consultation
	n := 0
	for _, name := range names {
		data, err := fs.ReadFile(dialogs.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		var cf dialog.CaseFile
		if err := yaml.Unmarshal(data, &cf); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	cases:
		for _, c := range cf.Cases {
			if c.Facts != nil || !slices.Contains(engine.Categories, cf.Tree) {
				continue // entered from free text, or not a deep link
			}
			n++
			code := []string{"en", "zh-hans"}[n%2]
			a := &advisor.Advisor{Catalog: b.Catalog, Store: memstore.New(0, nil), Now: time.Now, Describer: desc, Labels: r.T}
			ctx := context.Background()
			lang := render.Lang(code)
			res, err := a.Handle(ctx, "k", engine.Event{Kind: engine.Start, Tree: cf.Tree, Lang: lang})
			if err != nil {
				t.Fatal(err)
			}
			cs := consultation{name: cf.Tree + "/" + c.Name, tree: cf.Tree, code: code, steps: c.Steps, changes: []bool{res.Changed}}
			for _, st := range c.Steps {
				var ev func(engine.Session) engine.Event
				switch {
				case st.Choose != "":
					ev = func(s engine.Session) engine.Event {
						return engine.Event{Kind: engine.Choose, Token: engine.Token(s.Seq), Option: st.Choose, Lang: lang}
					}
				case st.Back:
					ev = func(engine.Session) engine.Event { return engine.Event{Kind: engine.Back, Lang: lang} }
				default:
					ev = func(s engine.Session) engine.Event { e := a.TextEvent(s, st.Text); e.Lang = lang; return e }
				}
				res, _, err := a.HandleFunc(ctx, "k", ev)
				if err != nil {
					t.Fatal(err)
				}
				if st.Choose != "" && !res.Changed {
					continue cases // not a button on today's path
				}
				cs.changes = append(cs.changes, res.Changed)
			}
			s, _ := a.Session(ctx, "k")
			if tr := b.Catalog.Trees[s.Tree]; tr == nil || tr.Nodes[s.Node] == nil || tr.Nodes[s.Node].Kind != engine.Outcome {
				continue // today's date takes it elsewhere
			}
			cs.final = s
			out = append(out, cs)
		}
	}
	if len(out) < 10 {
		t.Fatalf("only %d dialog cases reach an outcome today", len(out))
	}
	return out
}

// sharedRedis is REDIS_URL if set, else a redis-server of the test's own,
// else a miniredis (reachable over TCP by the bot processes).
func sharedRedis(t *testing.T) string {
	t.Helper()
	if u := os.Getenv("REDIS_URL"); u != "" {
		return u
	}
	if _, err := exec.LookPath("redis-server"); err == nil {
		return startRedis(t).url()
	}
	return "redis://" + miniredis.RunT(t).Addr() + "/0"
}

// updateLogRE finds the log line of a handled update (LOG_LEVEL=info).
var updateLogRE = regexp.MustCompile(`msg=update update=(\d+) kind=(\S+) .*result=(\S+)`)

// waitHandled waits until a replica has logged update id handled (not as
// a duplicate): its replies are all sent. It returns the logged result
// ("ok", "store_unavailable", …); timeout is a failure guard.
func waitHandled(bots []*botProc, id int64, timeout time.Duration) (string, bool) {
	re := regexp.MustCompile(`msg=update update=` + strconv.FormatInt(id, 10) + ` kind=\S+ .*result=(\S+)`)
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		for _, b := range bots {
			for _, m := range re.FindAllStringSubmatch(b.stderr.String(), -1) {
				if m[1] != "duplicate" {
					return m[1], true
				}
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	return "", false
}

// figures are what a run of updates did.
type figures struct {
	mu                                   sync.Mutex
	sent, deliveries, applied, dup, lost int
	refused                              int // deliveries not answered 200
	reanswered                           int // updates that change nothing answered again (defect 4)
	wrong                                []string
}

func (f *figures) add(fn func(f *figures)) { f.mu.Lock(); fn(f); f.mu.Unlock() }

// Two or three replicas on one Redis, each chat's updates going to a
// different replica each time, some twice, some to two at once: every
// consultation ends where its path leads, each update applied once.
func TestReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("runs bot processes")
	}
	plans := consultations(t)
	api := telegramtest.New(t)
	url := sharedRedis(t)
	bots := make([]*botProc, 3)
	for i := range bots {
		bots[i] = startBot(t, api, url, "LOG_LEVEL=info")
	}
	base := 7_000_000_000 + time.Now().UnixNano()%1_000_000_000
	var fig figures
	applied := make([][]string, len(plans))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 24) // chats at once
	for i, p := range plans {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			applied[i] = consult(api, bots, base+int64(i), i, p, &fig)
		}()
	}
	wg.Wait()

	rdb := redisClient(t, url)
	st := redisstore.New(rdb, redisstore.Options{})
	t.Cleanup(func() {
		for i := range plans {
			st.Delete(context.Background(), "tg:"+strconv.FormatInt(base+int64(i), 10))
		}
	})
	for i, p := range plans {
		chat := base + int64(i)
		s, err := st.Get(context.Background(), "tg:"+strconv.FormatInt(chat, 10))
		if err != nil {
			fig.wrong = append(fig.wrong, fmt.Sprintf("%s: %v", p.name, err))
			continue
		}
		countApplied(s, applied[i], &fig)
		if s.Tree != p.final.Tree || s.Node != p.final.Node || !maps.Equal(s.Facts, p.final.Facts) || len(s.History) != len(p.final.History) {
			fig.wrong = append(fig.wrong, fmt.Sprintf("%s: at %s/%s with %v (%d answers), want %s/%s with %v (%d)", p.name,
				s.Tree, s.Node, s.Facts, len(s.History), p.final.Tree, p.final.Node, p.final.Facts, len(p.final.History)))
		}
	}
	// An update answered by two replicas (or twice by one) is duplicated
	// too, whether or not it changed the case: each replica logs every
	// update it handles, with its result.
	answered, kinds := map[string]int{}, map[string]string{}
	for _, b := range bots {
		for _, m := range updateLogRE.FindAllStringSubmatch(b.stderr.String(), -1) {
			if m[3] != "duplicate" {
				answered[m[1]]++
				kinds[m[1]] = m[2]
			}
		}
	}
	changing := map[string]bool{}
	for _, ids := range applied {
		for _, id := range ids {
			changing[id] = true
		}
	}
	for id, n := range answered {
		switch {
		case n > 1 && changing[id]:
			t.Logf("update %s (%s) answered %d times", id, kinds[id], n)
			fig.dup += n - 1
		case n > 1:
			// An update that changes nothing (an answer re-asked) is
			// recorded before it is answered (issue 11, defect 4), so it
			// too is answered once.
			t.Logf("update %s (%s, changes nothing) answered %d times", id, kinds[id], n)
			fig.reanswered += n - 1
		}
	}
	for _, b := range bots {
		if !b.alive() {
			t.Errorf("a replica exited: %v\n%s", b.exit, b.stderr)
		}
	}
	t.Logf("replicas: %d, consultations: %d, updates sent: %d (deliveries %d), applied: %d, duplicated: %d, lost: %d, refused: %d; no-change updates answered again: %d",
		len(bots), len(plans), fig.sent, fig.deliveries, fig.applied, fig.dup, fig.lost, fig.refused, fig.reanswered)
	if fig.dup > 0 || fig.reanswered > 0 || fig.lost > 0 || fig.refused > 0 || len(fig.wrong) > 0 {
		t.Fatalf("duplicated %d (+%d answered again), lost %d, refused %d; wrong ends:\n%v", fig.dup, fig.reanswered, fig.lost, fig.refused, fig.wrong)
	}
}

// consult plays one consultation on chat, spreading its updates over the
// replicas: to one, to one and then another (a redelivery), or to two at
// once (a redelivery racing the first).
func consult(api *telegramtest.Server, bots []*botProc, chat int64, i int, p consultation, fig *figures) []string {
	u := api.NewUser(chat, "U"+strconv.Itoa(i), p.code)
	var ids []string // update ids that must be applied
	for k := 0; k <= len(p.steps); k++ {
		var upd models.Update
		if k == 0 {
			upd = u.Text("/start " + p.tree)
		} else {
			st := p.steps[k-1]
			switch {
			case st.Choose != "":
				id, data, ok := buttonData(api, chat, "c:", st.Choose)
				if !ok {
					fig.add(func(f *figures) {
						f.wrong = append(f.wrong, fmt.Sprintf("%s: no button %q at step %d", p.name, st.Choose, k))
					})
					return ids
				}
				upd = u.Tap(id, data)
			case st.Back:
				upd = u.Text("/back")
			default:
				upd = u.Text(st.Text)
			}
		}
		a, b := bots[(i+k)%len(bots)], bots[(i+k+1)%len(bots)]
		var codes []int
		switch (i*7 + k) % 5 {
		case 2: // delivered again, to another replica
			codes = []int{a.post(upd), b.post(upd)}
		case 3: // delivered to two replicas at once
			var wg sync.WaitGroup
			codes = make([]int, 2)
			for j, r := range []*botProc{a, b} {
				wg.Add(1)
				go func() { defer wg.Done(); codes[j] = r.post(upd) }()
			}
			wg.Wait()
		default:
			codes = []int{a.post(upd)}
		}
		fig.add(func(f *figures) {
			f.sent++
			f.deliveries += len(codes)
			for _, c := range codes {
				if c != 200 {
					f.refused++
				}
			}
		})
		if p.changes[k] {
			ids = append(ids, strconv.FormatInt(upd.ID, 10))
		}
		if _, ok := waitHandled(bots, upd.ID, 30*time.Second); !ok {
			fig.add(func(f *figures) { f.wrong = append(f.wrong, fmt.Sprintf("%s: no reply to step %d", p.name, k)) })
			return ids
		}
	}
	return ids
}

// redisClient is a client of the Redis at url, closed when the test ends.
func redisClient(t *testing.T, url string) *redis.Client {
	t.Helper()
	o, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(o)
	t.Cleanup(func() { c.Close() })
	return c
}

// countApplied counts, of the update ids that must have changed the case,
// those recorded once (applied), more than once, or not at all (lost).
func countApplied(s engine.Session, ids []string, fig *figures) {
	seen := map[string]int{}
	for _, id := range s.Recent {
		seen[id]++
	}
	// Recent keeps the newest ids only.
	if len(ids) > len(s.Recent) {
		ids = ids[len(ids)-len(s.Recent):]
	}
	for _, id := range ids {
		switch n := seen[id]; {
		case n == 1:
			fig.applied++
		case n > 1:
			fig.dup++
		default:
			fig.lost++
		}
	}
}
