package main

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/disputebot/disputebot/bot/telegramtest"
	"github.com/disputebot/disputebot/internal/store/redisstore"
)

// player is one user's chat with the bot processes.
type player struct {
	t    *testing.T
	api  *telegramtest.Server
	u    *telegramtest.User
	chat int64
}

func newPlayer(t *testing.T, api *telegramtest.Server, chat int64, lang string) *player {
	return &player{t: t, api: api, u: api.NewUser(chat, "P", lang), chat: chat}
}

// tap is the update for tapping option on the newest question.
func (p *player) tap(option string) (models.Update, bool) {
	id, data, ok := buttonData(p.api, p.chat, "c:", option)
	if !ok {
		return models.Update{}, false
	}
	return p.u.Tap(id, data), true
}

// play delivers upd to b and waits until it is handled; it returns the
// webhook's status and the result the bot logged.
func play(t *testing.T, b *botProc, upd models.Update) (int, string) {
	t.Helper()
	code := b.post(upd)
	res, ok := waitHandled([]*botProc{b}, upd.ID, 30*time.Second)
	if !ok && code == 200 {
		t.Fatalf("update %d acknowledged but never handled:\n%s", upd.ID, b.stderr)
	}
	return code, res
}

func (p *player) lastText() string {
	ms := botMessages(p.api, p.chat)
	if len(ms) == 0 {
		return ""
	}
	return ms[len(ms)-1].Text
}

func text(t *testing.T, lang, key string) string {
	t.Helper()
	_, r, err := loadData(dataDirs("", ""))
	if err != nil {
		t.Fatal(err)
	}
	s, err := r.T(lang, key, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Redis stopped mid-conversation: the user is told the step was not
// saved, the bot keeps running, and the same tap after Redis is back
// goes on from where they were.
func TestFaultRedisStopped(t *testing.T) {
	rp := startRedis(t, "--appendonly", "yes", "--appendfsync", "always")
	api := telegramtest.New(t)
	b := startBot(t, api, rp.url(), "LOG_LEVEL=info")
	p := newPlayer(t, api, 8100, "en")
	play(t, b, p.u.Text("/start return_refused"))
	for _, opt := range []string{"refused", "online"} {
		upd, ok := p.tap(opt)
		if !ok {
			t.Fatalf("no %q button:\n%s", opt, p.lastText())
		}
		if _, res := play(t, b, upd); res != "ok" {
			t.Fatalf("tap %s: %s", opt, res)
		}
	}
	rp.kill(syscall.SIGTERM)
	upd, _ := p.tap("platform")
	code, res := play(t, b, upd)
	if res != "store_unavailable" || !strings.Contains(p.lastText(), text(t, "en", "notice.store_down")) {
		t.Fatalf("with Redis down: result %s, last message %q", res, p.lastText())
	}
	if !b.alive() {
		t.Fatalf("the bot exited with Redis down: %v\n%s", b.exit, b.stderr)
	}
	t.Logf("with Redis down: webhook answered %d, the user read %q", code, p.lastText())

	rp.start()
	upd, ok := p.tap("platform") // the same button, tapped again
	if !ok {
		t.Fatal("the question's buttons are gone")
	}
	if _, res := play(t, b, upd); res != "ok" {
		t.Fatalf("after Redis came back: %s\n%s", res, b.stderr)
	}
	s, err := redisstore.New(redisClient(t, rp.url()), redisstore.Options{}).Get(context.Background(), "tg:8100")
	if err != nil || s.Node != "signed_date" || len(s.History) != 3 {
		t.Fatalf("after Redis came back: at %q with %d answers (%v)", s.Node, len(s.History), err)
	}
}

// Redis with append-only persistence (fsync always) SIGKILLed while
// consultations run, and restarted: every step the user was answered for
// is in it.
func TestFaultRedisKilledKeepsAcknowledgedSteps(t *testing.T) {
	rp := startRedis(t, "--appendonly", "yes", "--appendfsync", "always")
	api := telegramtest.New(t)
	b := startBot(t, api, rp.url(), "LOG_LEVEL=info")
	plans := consultations(t)
	if len(plans) > 30 {
		plans = plans[:30]
	}
	var mu sync.Mutex
	acked := map[int64][]string{} // chat → ids of steps answered as saved
	total := 0
	killAt := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	for i, pl := range plans {
		wg.Add(1)
		go func() {
			defer wg.Done()
			chat := int64(8200 + i)
			p := newPlayer(t, api, chat, pl.code)
			for k := 0; k <= len(pl.steps); k++ {
				var upd models.Update
				switch {
				case k == 0:
					upd = p.u.Text("/start " + pl.tree)
				case pl.steps[k-1].Choose != "":
					var ok bool
					if upd, ok = p.tap(pl.steps[k-1].Choose); !ok {
						return // a step failed (Redis down): the path ends here
					}
				case pl.steps[k-1].Back:
					upd = p.u.Text("/back")
				default:
					upd = p.u.Text(pl.steps[k-1].Text)
				}
				b.post(upd)
				res, ok := waitHandled([]*botProc{b}, upd.ID, 30*time.Second)
				if !ok {
					t.Errorf("update %d not handled", upd.ID)
					return
				}
				if res == "ok" && pl.changes[k] {
					mu.Lock()
					acked[chat] = append(acked[chat], strconv.FormatInt(upd.ID, 10))
					total++
					if total >= 80 {
						once.Do(func() { close(killAt) })
					}
					mu.Unlock()
				}
				if res != "ok" {
					return
				}
			}
		}()
	}
	select {
	case <-killAt:
	case <-time.After(60 * time.Second): // a failure guard
		t.Fatal("the consultations did not get going")
	}
	rp.kill(syscall.SIGKILL)
	wg.Wait()
	rp.start()
	st := redisstore.New(redisClient(t, rp.url()), redisstore.Options{})
	kept, lost := 0, 0
	mu.Lock()
	defer mu.Unlock()
	for chat, ids := range acked {
		s, err := st.Get(context.Background(), "tg:"+strconv.FormatInt(chat, 10))
		if err != nil {
			lost += len(ids)
			continue
		}
		for _, id := range ids {
			if slices.Contains(s.Recent, id) {
				kept++
			} else {
				lost++
			}
		}
	}
	t.Logf("AOF Redis SIGKILLed once 80 steps were acknowledged, mid-run: %d acknowledged in all, %d kept, %d lost", total, kept, lost)
	if lost > 0 || !b.alive() {
		t.Fatalf("%d acknowledged steps lost; bot alive %v", lost, b.alive())
	}
}

// The Bot API failing (500, 429 with retry_after): each message reaches
// the chat once, and the consultation goes on.
func TestFaultBotAPIErrors(t *testing.T) {
	url := sharedRedis(t)
	api := telegramtest.New(t)
	b := startBot(t, api, url, "LOG_LEVEL=info")
	for _, tc := range []struct {
		name string
		fail []telegramtest.Failure
	}{
		{"500", []telegramtest.Failure{telegramtest.ServerError()}},
		{"500 twice", []telegramtest.Failure{telegramtest.ServerError(), telegramtest.ServerError()}},
		{"429 retry_after 1", []telegramtest.Failure{telegramtest.TooManyRequests(1)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			chat := 8300 + time.Now().UnixNano()%100000
			p := newPlayer(t, api, chat, "en")
			api.FailNext("sendMessage", tc.fail...)
			if _, res := play(t, b, p.u.Text("/start return_refused")); res != "ok" {
				t.Fatalf("result %s", res)
			}
			first := botMessages(api, chat)
			upd, ok := p.tap("refused")
			if !ok {
				t.Fatalf("no question after the failures: %d messages", len(first))
			}
			api.FailNext("sendMessage", tc.fail...)
			if _, res := play(t, b, upd); res != "ok" {
				t.Fatalf("result %s", res)
			}
			ms := botMessages(api, chat)
			seen := map[string]int{}
			for _, m := range ms {
				seen[m.Text]++
			}
			for txt, n := range seen {
				if n > 1 {
					t.Fatalf("delivered %d times: %q", n, txt)
				}
			}
			if len(first) != 1 || len(ms) != 2 {
				t.Fatalf("%d messages after /start, %d after the tap; want 1 and 2", len(first), len(ms))
			}
		})
	}
}

// SIGTERM under load: the updates in flight finish, every update answered
// 200 was applied, those refused are applied by the next process, and the
// process exits 0.
func TestFaultSigtermUnderLoad(t *testing.T) {
	url := sharedRedis(t)
	api := telegramtest.New(t)
	b := startBot(t, api, url, "LOG_LEVEL=info", "SHUTDOWN_GRACE=20s")
	// Slow replies keep lanes busy: the updates behind wait to be applied.
	api.FailNext("sendMessage", telegramtest.TooManyRequests(1), telegramtest.TooManyRequests(1))
	const chats, per = 20, 6
	base := 8_400_000 + time.Now().UnixNano()%1_000_000
	type sent struct {
		upd  models.Update
		code int
	}
	var mu sync.Mutex
	var all []sent
	var wg sync.WaitGroup
	started := make(chan struct{}, chats*per)
	for c := 0; c < chats; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := newPlayer(t, api, base+int64(c), "en")
			for k := 0; k < per; k++ {
				// Each sets the language: a change every time, recorded.
				upd := p.u.Text([]string{"/lang zh", "/lang en"}[k%2])
				started <- struct{}{}
				code := b.post(upd)
				mu.Lock()
				all = append(all, sent{upd, code})
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < chats*per/3; i++ {
		<-started
	}
	b.signal(syscall.SIGTERM)
	wg.Wait()
	select {
	case <-b.done:
	case <-time.After(60 * time.Second): // a failure guard
		t.Fatal("serve did not exit after SIGTERM")
	}
	if b.exit != nil {
		t.Fatalf("serve exited with %v:\n%s", b.exit, b.stderr)
	}
	st := redisstore.New(redisClient(t, url), redisstore.Options{})
	applied := func(u models.Update) bool {
		s, err := st.Get(context.Background(), "tg:"+strconv.FormatInt(u.Message.Chat.ID, 10))
		return err == nil && slices.Contains(s.Recent, strconv.FormatInt(u.ID, 10))
	}
	ok, refused, lost := 0, 0, 0
	var again []models.Update
	for _, s := range all {
		switch {
		case s.code == 200 && applied(s.upd):
			ok++
		case s.code == 200:
			lost++
		default:
			refused++
			again = append(again, s.upd)
		}
	}
	t.Logf("SIGTERM under load: %d updates sent, %d acknowledged and applied, %d acknowledged but not applied, %d refused (503 or no answer)", len(all), ok, lost, refused)
	if lost > 0 {
		t.Fatalf("%d updates acknowledged with 200 were not applied", lost)
	}
	// Those in flight finished: each acknowledged one was handled to the
	// end (its replies sent) before the process exited.
	logs := b.stderr.String()
	for _, s := range all {
		if s.code == 200 && !regexp.MustCompile(`msg=update update=`+strconv.FormatInt(s.upd.ID, 10)+` .*result=ok`).MatchString(logs) {
			t.Fatalf("update %d acknowledged but not finished before exit", s.upd.ID)
		}
	}
	if !strings.Contains(b.stderr.String(), "msg=stopped") {
		t.Fatalf("no clean stop in the log:\n%s", b.stderr)
	}
	// Telegram delivers the refused updates again, to the next process.
	if len(again) > 0 {
		b2 := startBot(t, api, url, "LOG_LEVEL=info")
		for _, u := range again {
			if code := b2.post(u); code != 200 || !applied(u) {
				// A refused update whose step had landed is a duplicate now:
				// applied all the same.
				t.Fatalf("redelivered update %d: %d, applied %v", u.ID, code, applied(u))
			}
		}
	}
}

// Replies cut short by the end of the shutdown grace, after the webhook
// acknowledged their updates, are owed and delivered by the next process
// (issue 11, defects 8 and 9): every step acknowledged is applied, and
// every chat then sees where its case stands, once.
func TestFaultRepliesOwedAcrossRestart(t *testing.T) {
	url := sharedRedis(t)
	api := telegramtest.New(t)
	b := startBot(t, api, url, "LOG_LEVEL=info", "SHUTDOWN_GRACE=500ms")
	const chats = 6
	base := 8_600_000 + time.Now().UnixNano()%1_000_000
	players := make([]*player, chats)
	taps := make([]models.Update, chats)
	for i := range players {
		p := newPlayer(t, api, base+int64(i), "en")
		if _, res := play(t, b, p.u.Text("/start return_refused")); res != "ok" {
			t.Fatalf("result %s", res)
		}
		upd, ok := p.tap("refused")
		if !ok {
			t.Fatal("no question to answer")
		}
		players[i], taps[i] = p, upd
	}
	// Every reply to the taps hangs until the process gives up on it.
	hang := make([]telegramtest.Failure, chats)
	for i := range hang {
		hang[i] = telegramtest.Failure{Hang: true}
	}
	api.FailNext("sendMessage", hang...)
	before := len(api.Calls("sendMessage"))
	codes := make([]int, chats)
	var wg sync.WaitGroup
	for i := range taps {
		wg.Add(1)
		go func() { defer wg.Done(); codes[i] = b.post(taps[i]) }()
	}
	wg.Wait()
	if !api.Wait(30*time.Second, func(calls []telegramtest.Call) bool {
		n := 0
		for _, c := range calls {
			if c.Method == "sendMessage" {
				n++
			}
		}
		return n-before >= chats
	}) {
		t.Fatal("the replies were never sent")
	}
	b.signal(syscall.SIGTERM)
	select {
	case <-b.done:
	case <-time.After(60 * time.Second): // a failure guard
		t.Fatal("serve did not exit after SIGTERM")
	}
	st := redisstore.New(redisClient(t, url), redisstore.Options{})
	applied := 0
	for i, u := range taps {
		s, err := st.Get(context.Background(), "tg:"+strconv.FormatInt(players[i].chat, 10))
		if codes[i] == 200 && err == nil && slices.Contains(s.Recent, strconv.FormatInt(u.ID, 10)) {
			applied++
		}
	}
	if applied != chats {
		t.Fatalf("%d of %d taps acknowledged and applied:\n%s", applied, chats, b.stderr)
	}
	owed := strings.Count(b.stderr.String(), "replies not delivered; owed to the chat")
	// The next process pays what is owed as it starts.
	b2 := startBot(t, api, url, "LOG_LEVEL=info")
	notice := text(t, "en", "bot.notice.owed")
	paid := 0
	deadline := time.Now().Add(30 * time.Second) // a failure guard
	for paid < chats && time.Now().Before(deadline) {
		paid = 0
		for _, p := range players {
			n := 0
			for _, m := range botMessages(api, p.chat) {
				if strings.HasPrefix(m.Text, notice) {
					n++
				}
			}
			if n > 1 {
				t.Fatalf("chat %d was paid %d times", p.chat, n)
			}
			paid += n
		}
		time.Sleep(20 * time.Millisecond)
	}
	// A debt paid twice would show within another round of payments (5 s).
	time.Sleep(6 * time.Second)
	for _, p := range players {
		n := 0
		for _, m := range botMessages(api, p.chat) {
			if strings.HasPrefix(m.Text, notice) {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("chat %d was paid %d times", p.chat, n)
		}
	}
	for _, p := range players {
		if ms := botMessages(api, p.chat); len(ms) == 0 || !strings.HasPrefix(ms[len(ms)-1].Text, notice) ||
			ms[len(ms)-1].ReplyMarkup == nil || len(ms[len(ms)-1].ReplyMarkup.InlineKeyboard) == 0 {
			t.Fatalf("chat %d does not end with the owed question:\n%s", p.chat, b2.stderr)
		}
	}
	t.Logf("replies cut by shutdown: %d taps acknowledged, %d applied, %d owed, %d delivered by the next process, 0 twice", chats, applied, owed, paid)
	if paid != chats || owed != chats {
		t.Fatalf("%d owed, %d paid; want %d each", owed, paid, chats)
	}
}
