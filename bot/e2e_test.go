package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/disputebot/disputebot/bot/telegramtest"
	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/render"
	"github.com/disputebot/disputebot/internal/store"
)

// languages are the two the bot speaks, with a Telegram language_code of
// each kind.
var languages = []struct{ lang, code string }{{"en", "en-GB"}, {"zh", "zh-hans"}}

func TestConsultationByTapsAndTypedAnswers(t *testing.T) {
	for i, l := range languages {
		t.Run(l.lang, func(t *testing.T) {
			h := newHarness(t)
			h.start()
			u := h.api.NewUser(int64(100+i), "Wei", l.code)

			msgs := h.send(u, "/start")
			expect(t, msgs, h.T(l.lang, "bot.welcome"), h.T(l.lang, "notice.pick_category"), h.T(l.lang, "test.menu.pick"))
			menu := last(t, msgs)
			if got := buttons(menu); !slices.Equal(got, []string{h.T(l.lang, "category.quality_defect"), h.T(l.lang, "category.food_safety")}) {
				t.Fatalf("menu buttons = %q", got)
			}

			category := h.T(l.lang, "category.quality_defect")
			expect(t, h.tap(u, category), h.T(l.lang, "test.qd.what"))
			// The answered question reads as a transcript line, without buttons.
			if m, _ := h.api.Message(u.Chat.ID, menu.ID); !strings.HasSuffix(m.Text, "→ "+category) || m.ReplyMarkup != nil {
				t.Fatalf("answered menu = %q, keyboard %v", m.Text, m.ReplyMarkup)
			}

			expect(t, h.tap(u, h.T(l.lang, "test.qd.opt.broken")), h.T(l.lang, "test.qd.bought"))
			expect(t, h.tap(u, h.T(l.lang, "test.qd.opt.online")), h.T(l.lang, "test.qd.price"), h.T(l.lang, "input.hint.money"))

			// A bad typed answer gets the engine's short re-ask.
			expect(t, h.send(u, "a lot"), h.T(l.lang, "input.bad_money"), h.T(l.lang, "test.qd.price"))
			expect(t, h.send(u, "299"), h.T(l.lang, "test.qd.received"))

			msgs = h.send(u, "2026-11-20")
			expect(t, msgs, h.T(l.lang, "test.qd.title"), h.T(l.lang, "bot.checklist.intro"))
			if len(msgs) < 2 {
				t.Fatalf("a long outcome came in %d message(s), want it split", len(msgs))
			}
			for _, m := range msgs {
				if n := utf16Len(m.Text); n > 4096 {
					t.Fatalf("message of %d characters", n)
				}
			}
			receipt, photos := h.T(l.lang, "evidence.test_receipt"), h.T(l.lang, "evidence.test_photos")
			checklist := last(t, msgs)
			actions := []string{h.T(l.lang, "bot.action.summary"), h.T(l.lang, "bot.action.share"), h.T(l.lang, "bot.action.download"), h.T(l.lang, "bot.action.drafts"), h.T(l.lang, "bot.action.filed")}
			if got := buttons(checklist); !slices.Equal(got, append([]string{"⬜ " + receipt, "⬜ " + photos}, actions...)) {
				t.Fatalf("checklist buttons = %q", got)
			}

			// Ticking edits the checklist in place and sends nothing new.
			if msgs := h.tap(u, "⬜ "+receipt); len(msgs) != 0 {
				t.Fatalf("a tick sent %d messages", len(msgs))
			}
			m, _ := h.api.Message(u.Chat.ID, checklist.ID)
			if got := buttons(m); !slices.Equal(got, append([]string{"✅ " + receipt, "⬜ " + photos}, actions...)) {
				t.Fatalf("after a tick, checklist = %q", got)
			}

			s, err := h.session(u.Chat.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"defect": "broken", "place": "online", "price": "299.00", "received": "2026-11-20"}
			for k, v := range want {
				if s.Facts[k] != v {
					t.Errorf("fact %s = %q, want %q", k, s.Facts[k], v)
				}
			}
			if s.Lang != l.lang || !s.Evidence["test_receipt"] || s.Node != "advice" {
				t.Errorf("session lang %q, node %q, evidence %v", s.Lang, s.Node, s.Evidence)
			}
			// "I filed with 12315" asks the date, then shows the outcome
			// with when 12315 must decide and when mediation ends.
			expect(t, h.tap(u, h.T(l.lang, "bot.action.filed")), h.T(l.lang, "draft.ask.complaint_date"))
			expect(t, h.send(u, "2026-11-24"), h.T(l.lang, "test.qd.title"),
				h.T(l.lang, "deadline.accept_12315", map[string]any{"From": render.Date(l.lang, "2026-11-24")}))

			if strings.Contains(h.transcript(u.Chat.ID), h.T(l.lang, "bot.notice.sorry")) {
				t.Fatalf("the bot apologised:\n%s", h.transcript(u.Chat.ID))
			}
		})
	}
}

// toQuestion walks a new user to the "where did you buy it" question.
func toQuestion(t *testing.T, h *harness, u *telegramtest.User, lang string) {
	t.Helper()
	h.send(u, "/start")
	h.tap(u, h.T(lang, "category.quality_defect"))
	expect(t, h.tap(u, h.T(lang, "test.qd.opt.broken")), h.T(lang, "test.qd.bought"))
}

func TestBack(t *testing.T) {
	for i, l := range languages {
		t.Run(l.lang, func(t *testing.T) {
			h := newHarness(t)
			h.start()
			u := h.api.NewUser(int64(200+i), "Ann", l.code)
			toQuestion(t, h, u, l.lang)

			msgs := h.send(u, "/back")
			expect(t, msgs, h.T(l.lang, "test.qd.what"))
			s, _ := h.session(u.Chat.ID)
			if s.Node != "what" || s.Facts["defect"] != "" {
				t.Fatalf("after /back: node %q, facts %v", s.Node, s.Facts)
			}
			// The Back button does the same.
			expect(t, h.tap(u, h.T(l.lang, "test.qd.opt.fake")), h.T(l.lang, "test.qd.bought"))
			expect(t, h.tap(u, h.T(l.lang, "button.back")), h.T(l.lang, "test.qd.what"))
			// Back from the first question returns to the menu, and from
			// there, nothing is left to undo.
			expect(t, h.send(u, "/back"), h.T(l.lang, "test.menu.pick"))
			expect(t, h.send(u, "/back"), h.T(l.lang, "notice.nothing_to_undo"))
		})
	}
}

func TestLangMidQuestion(t *testing.T) {
	h := newHarness(t)
	h.start()
	u := h.api.NewUser(300, "Sam", "en-US")
	toQuestion(t, h, u, "en")

	// "/lang zh" re-asks the current question in Chinese.
	msgs := h.send(u, "/lang zh")
	expect(t, msgs, h.T("zh", "notice.lang_set"), h.T("zh", "test.qd.bought"))
	if got := buttons(last(t, msgs)); !slices.Contains(got, h.T("zh", "test.qd.opt.online")) {
		t.Fatalf("buttons after /lang zh: %q", got)
	}
	// "/lang" shows the choice; a tap switches back.
	expect(t, h.send(u, "/lang"), h.T("zh", "bot.lang.pick"))
	msgs = h.tap(u, "English")
	expect(t, msgs, h.T("en", "notice.lang_set"), h.T("en", "test.qd.bought"))
	// The answer is taken from the re-rendered question.
	expect(t, h.tap(u, h.T("en", "test.qd.opt.shop")), h.T("en", "test.qd.price"))
	if s, _ := h.session(u.Chat.ID); s.Lang != "en" || s.Facts["place"] != "shop" {
		t.Fatalf("session lang %q, facts %v", s.Lang, s.Facts)
	}
}

func TestOutdatedButtonChangesNothing(t *testing.T) {
	for i, l := range languages {
		t.Run(l.lang, func(t *testing.T) {
			h := newHarness(t)
			h.start()
			u := h.api.NewUser(int64(400+i), "Li", l.code)
			toQuestion(t, h, u, l.lang)
			before, _ := h.session(u.Chat.ID)

			// The first question's message is still on screen, answered;
			// a client showing it as it was can still send its data.
			qid := 0
			for _, m := range h.api.Messages(u.Chat.ID) {
				if strings.HasPrefix(m.Text, h.T(l.lang, "test.qd.what")) {
					qid = m.ID
				}
			}
			data := engine.ButtonData(engine.Token(before.Seq-1), "fake")
			got := h.during(u, func() { h.deliver(u.Tap(qid, data)) })
			expect(t, got, h.T(l.lang, "notice.stale_button"), h.T(l.lang, "test.qd.bought"))
			assertToast(t, h, h.T(l.lang, "bot.toast.stale"))
			assertUnchanged(t, h, u.Chat.ID, before)

			// After /restart, the buttons of the old run are outdated too.
			h.send(u, "/restart")
			before, _ = h.session(u.Chat.ID)
			id, data, ok := h.api.Button(u.Chat.ID, h.T(l.lang, "test.qd.opt.online"))
			if !ok {
				t.Fatal("the unanswered question lost its buttons")
			}
			h.deliver(u.Tap(id, data))
			assertToast(t, h, h.T(l.lang, "bot.toast.stale"))
			assertUnchanged(t, h, u.Chat.ID, before)
		})
	}
}

func TestForgedCallbackChangesNothing(t *testing.T) {
	h := newHarness(t)
	h.start()
	u := h.api.NewUser(500, "Eve", "en")
	toQuestion(t, h, u, "en")
	before, _ := h.session(u.Chat.ID)
	q := last(t, h.api.Messages(u.Chat.ID))
	tok := engine.Token(before.Seq)
	for _, data := range []string{
		"c:" + tok + ":no_such_option", // a well-formed tap on an option that does not exist
		"c:" + tok + ":../../etc",      // not an id
		"x:1",                          // not ours
		"c:" + tok,                     // truncated
		"b:zzzzzzz",                    // a Back from a question never asked
		"t:1:test_receipt",             // a tick with no outcome on screen
		"a:" + tok + ":yes",            // accepting a proposal never made
		strings.Repeat("c", 64),
	} {
		t.Run(data, func(t *testing.T) {
			got := h.during(u, func() { h.deliver(u.Tap(q.ID, data)) })
			expect(t, got, h.T("en", "test.qd.bought"))
			assertToast(t, h, h.T("en", "bot.toast.stale"))
			assertUnchanged(t, h, u.Chat.ID, before)
		})
	}
}

// assertToast checks the last callback answer showed text.
func assertToast(t *testing.T, h *harness, text string) {
	t.Helper()
	calls := h.api.Calls("answerCallbackQuery")
	if len(calls) == 0 || calls[len(calls)-1].Text() != text {
		t.Fatalf("last callback answer = %+v, want toast %q", calls[len(calls)-1].Params, text)
	}
}

// assertUnchanged checks the session's answers and step are as before.
func assertUnchanged(t *testing.T, h *harness, chat int64, before engine.Session) {
	t.Helper()
	after, err := h.session(chat)
	if err != nil {
		t.Fatal(err)
	}
	if after.Node != before.Node || after.Seq != before.Seq || len(after.History) != len(before.History) || fmt.Sprint(after.Facts) != fmt.Sprint(before.Facts) {
		t.Fatalf("session changed: node %q→%q, seq %d→%d, facts %v→%v", before.Node, after.Node, before.Seq, after.Seq, before.Facts, after.Facts)
	}
}

func TestForget(t *testing.T) {
	for i, l := range languages {
		t.Run(l.lang, func(t *testing.T) {
			h := newHarness(t)
			h.start()
			u := h.api.NewUser(int64(600+i), "Zhang", l.code)
			toQuestion(t, h, u, l.lang)

			expect(t, h.send(u, "/forget"), h.T(l.lang, "bot.forget.confirm"))
			expect(t, h.tap(u, h.T(l.lang, "bot.forget.no")), h.T(l.lang, "bot.forget.kept"), h.T(l.lang, "test.qd.bought"))
			if _, err := h.session(u.Chat.ID); err != nil {
				t.Fatalf("'no' lost the session: %v", err)
			}

			h.send(u, "/forget")
			expect(t, h.tap(u, h.T(l.lang, "bot.forget.yes")), h.T(l.lang, "bot.forget.done"))
			if _, err := h.session(u.Chat.ID); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("after /forget, session lookup: %v, want not found", err)
			}
			// The confirmation reads as answered.
			msgs := h.api.Messages(u.Chat.ID)
			for _, m := range msgs {
				if strings.HasPrefix(m.Text, h.T(l.lang, "bot.forget.confirm")) && m.ReplyMarkup != nil {
					t.Fatalf("confirmation still has buttons: %q", m.Text)
				}
			}
		})
	}
}

func TestStickersPhotosAndEdits(t *testing.T) {
	for i, l := range languages {
		t.Run(l.lang, func(t *testing.T) {
			h := newHarness(t)
			h.start()
			u := h.api.NewUser(int64(700+i), "Yu", l.code)
			toQuestion(t, h, u, l.lang)
			kinds := map[string]func(*models.Message){
				"sticker":  func(m *models.Message) { m.Sticker = &models.Sticker{FileID: "s1", Emoji: "😡"} },
				"photo":    func(m *models.Message) { m.Photo = []models.PhotoSize{{FileID: "p1"}}; m.Caption = "receipt" },
				"voice":    func(m *models.Message) { m.Voice = &models.Voice{FileID: "v1", Duration: 3} },
				"location": func(m *models.Message) { m.Location = &models.Location{Latitude: 31.2, Longitude: 121.5} },
				"contact": func(m *models.Message) {
					m.Contact = &models.Contact{PhoneNumber: "+8613812345678", FirstName: "Zhang"}
				},
				"document": func(m *models.Message) { m.Document = &models.Document{FileID: "d1", FileName: "invoice.pdf"} },
			}
			for name, fill := range kinds {
				t.Run(name, func(t *testing.T) {
					got := h.during(u, func() { h.deliver(u.Message(fill)) })
					expect(t, got, h.T(l.lang, "bot.notice.unsupported"), h.T(l.lang, "test.qd.bought"))
				})
			}
			// A service message (nothing the user sent) gets no answer.
			if got := h.during(u, func() { h.deliver(u.Message(func(m *models.Message) { m.NewChatTitle = "x" })) }); len(got) != 0 {
				t.Fatalf("a service message got %d replies", len(got))
			}
			// An edit is answered kindly and changes nothing.
			before, _ := h.session(u.Chat.ID)
			um := u.Text("299")
			h.deliver(um)
			got := h.during(u, func() { h.deliver(u.Edit(um.Message.ID, "399")) })
			expect(t, got, h.T(l.lang, "bot.notice.edited"))
			after, _ := h.session(u.Chat.ID)
			if after.Node != before.Node {
				t.Fatalf("an edit moved the session from %q to %q", before.Node, after.Node)
			}
		})
	}
}

func TestGroupsGetOnlyAPointerToAPrivateChat(t *testing.T) {
	h := newHarness(t)
	h.start()
	group := models.Chat{ID: -100123, Type: models.ChatTypeSupergroup, Title: "Neighbours"}
	u := h.api.NewUser(800, "Liu", "zh-hans").In(group)
	link := "https://t.me/" + h.api.Bot.Username
	tests := []struct {
		text string
		want string // "" for no answer
	}{
		{"hello everyone, the shop downstairs cheated me", ""},
		{"/help", ""}, // may be for another bot
		{"/help@other_bot", ""},
		{"/start@other_bot", ""},
		{"/help@" + h.api.Bot.Username, link},
		{"/start", link},
		{"/start@" + h.api.Bot.Username + " quality_defect", link + "?start=quality_defect"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got := h.send(u, tt.text)
			if tt.want == "" {
				if len(got) != 0 {
					t.Fatalf("answered %q", got[0].Text)
				}
				return
			}
			expect(t, got, h.T("zh", "bot.group.private", map[string]any{"Link": tt.want}))
		})
	}
	if _, err := h.session(group.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a group got a session: %v", err)
	}
	// Edits and channel posts in groups are ignored too.
	if got := h.during(u, func() { h.deliver(u.Edit(1, "/start")) }); len(got) != 0 {
		t.Fatal("answered an edit in a group")
	}
}

func TestTooManyRequestsThenSuccess(t *testing.T) {
	h := newHarness(t)
	h.start()
	u := h.api.NewUser(900, "Ma", "en")
	h.api.FailNext("sendMessage", telegramtest.TooManyRequests(2))
	msgs := h.send(u, "/start")
	expect(t, msgs, h.T("en", "test.menu.pick"))
	if !slices.Contains(h.sleeps(), 2*time.Second) {
		t.Fatalf("waits %v, want retry_after of 2s", h.sleeps())
	}
	calls := h.api.Calls("sendMessage")
	if len(calls) != 2 || calls[0].Code != 429 || !calls[1].OK() || calls[0].Text() != calls[1].Text() {
		t.Fatalf("calls: %+v", calls)
	}
}

func TestBlockedUserIsNotWrittenTo(t *testing.T) {
	h := newHarness(t)
	h.start()
	u := h.api.NewUser(950, "Gao", "en")
	h.send(u, "/start")
	h.api.Block(u.Chat.ID)
	h.send(u, "/help") // 403: the bot stops writing to the chat
	n := len(h.api.Calls("sendMessage"))
	upd, _ := u.TapButton(h.T("en", "category.quality_defect"))
	h.deliver(upd)
	if got := len(h.api.Calls("sendMessage")); got != n {
		t.Fatalf("sent %d messages to a chat that blocked the bot", got-n)
	}
	// Writing again means they unblocked it.
	h.api.Unblock(u.Chat.ID)
	expect(t, h.send(u, "/help"), "/new")
}

func TestTwoTapsRacing(t *testing.T) {
	t.Run("one process", func(t *testing.T) {
		h := newHarness(t)
		h.start()
		u := h.api.NewUser(1000, "Xu", "en")
		toQuestion(t, h, u, "en")
		q := last(t, h.api.Messages(u.Chat.ID))
		kb := q.ReplyMarkup.InlineKeyboard
		h.deliver(u.Tap(q.ID, kb[0][0].CallbackData), u.Tap(q.ID, kb[1][0].CallbackData))
		checkOneApplied(t, h, u.Chat.ID)
	})
	t.Run("two replicas", func(t *testing.T) {
		h := newHarness(t)
		h.store = redisStore(t)
		cfg := h.config()
		cfg.WebhookURL, cfg.WebhookSecret = "https://bot.example/hook", "s3cret"
		a, b := h.newBot(cfg), h.newBot(cfg)
		u := h.api.NewUser(1001, "Xu", "en")
		for _, upd := range []models.Update{u.Text("/start")} {
			h.post(a, "s3cret", upd)
			h.waitHandled(upd.ID, 1)
		}
		for _, label := range []string{h.T("en", "category.quality_defect"), h.T("en", "test.qd.opt.broken")} {
			upd, _ := u.TapButton(label)
			h.post(a, "s3cret", upd)
			h.waitHandled(upd.ID, 1)
		}
		q := last(t, h.api.Messages(u.Chat.ID))
		kb := q.ReplyMarkup.InlineKeyboard
		t1, t2 := u.Tap(q.ID, kb[0][0].CallbackData), u.Tap(q.ID, kb[1][0].CallbackData)
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); h.post(a, "s3cret", t1) }()
		go func() { defer wg.Done(); h.post(b, "s3cret", t2) }()
		wg.Wait()
		h.waitHandled(t1.ID, 1)
		h.waitHandled(t2.ID, 1)
		checkOneApplied(t, h, u.Chat.ID)
	})
}

// checkOneApplied: of two taps on the "where" question, one answered it
// and the other was refused as outdated.
func checkOneApplied(t *testing.T, h *harness, chat int64) {
	t.Helper()
	s, err := h.session(chat)
	if err != nil {
		t.Fatal(err)
	}
	if s.Node != "price" || len(s.History) != 3 {
		t.Fatalf("session at %q with %d answers, want price after 3", s.Node, len(s.History))
	}
	toasts := 0
	for _, c := range h.api.Calls("answerCallbackQuery") {
		if c.Text() == h.T("en", "bot.toast.stale") {
			toasts++
		}
	}
	if toasts != 1 {
		t.Fatalf("%d stale toasts, want 1", toasts)
	}
}

func TestSameUpdateTwiceAppliedOnce(t *testing.T) {
	h := newHarness(t)
	h.store = redisStore(t)
	cfg := h.config()
	cfg.WebhookURL, cfg.WebhookSecret = "https://bot.example/hook", "s3cret"
	a := h.newBot(cfg)
	u := h.api.NewUser(1100, "He", "zh")
	start := u.Text("/start")
	h.post(a, "s3cret", start)
	h.waitHandled(start.ID, 1)
	tap, _ := u.TapButton(h.T("zh", "category.quality_defect"))

	// Telegram retries a webhook delivery it thinks failed.
	n := len(h.api.Calls("sendMessage"))
	for range 2 {
		if code := h.post(a, "s3cret", tap); code != 200 {
			t.Fatalf("webhook answered %d", code)
		}
	}
	h.waitHandled(tap.ID, 2)
	// And a retry can reach another replica, or the process after a restart.
	b := h.newBot(cfg)
	h.post(b, "s3cret", tap)
	h.waitHandled(tap.ID, 3)

	if got := len(h.api.Calls("sendMessage")) - n; got != 1 {
		t.Fatalf("%d messages for one update, want 1", got)
	}
	if got := len(h.api.Calls("answerCallbackQuery")); got != 1 {
		t.Fatalf("%d callback answers, want 1", got)
	}
	s, _ := h.session(u.Chat.ID)
	if s.Tree != "quality_defect" || s.Node != "what" || len(s.History) != 1 {
		t.Fatalf("session %s/%s with %d answers", s.Tree, s.Node, len(s.History))
	}
}

func TestRestartMidConversation(t *testing.T) {
	for i, l := range languages {
		t.Run(l.lang, func(t *testing.T) {
			h := newHarness(t)
			h.store = redisStore(t)
			first := h.newBot(h.config())
			stop := h.run(first)
			u := h.api.NewUser(int64(1200+i), "Qian", l.code)
			toQuestion(t, h, u, l.lang)
			if err := stop(); err != nil {
				t.Fatal(err)
			}

			// A new process, the same Redis: the old buttons still work.
			h.start()
			expect(t, h.tap(u, h.T(l.lang, "test.qd.opt.shop")), h.T(l.lang, "test.qd.price"))
			expect(t, h.send(u, "88.5"), h.T(l.lang, "test.qd.received"))
			s, _ := h.session(u.Chat.ID)
			if s.Facts["defect"] != "broken" || s.Facts["place"] != "shop" || s.Facts["price"] != "88.50" {
				t.Fatalf("facts after restart: %v", s.Facts)
			}
		})
	}
}

// fakeDescriber recognises a broken item and its price in free text.
type fakeDescriber struct{}

func (fakeDescriber) Describe(text string) (engine.Proposal, bool) {
	if strings.Contains(text, "broke") || strings.Contains(text, "坏") {
		return engine.Proposal{Category: "quality_defect", Confidence: 0.9, Facts: map[string]string{"defect": "broken"}}, true
	}
	return engine.Proposal{}, false
}

func TestFreeTextFirstMessage(t *testing.T) {
	texts := map[string]string{"en": "The kettle I bought broke after two days", "zh": "买的电水壶用了两天就坏了"}
	for i, l := range languages {
		t.Run(l.lang, func(t *testing.T) {
			h := newHarness(t)
			h.start(func(c *Config) { c.Describer = fakeDescriber{} })
			u := h.api.NewUser(int64(1300+i), "Ding", l.code)

			msgs := h.send(u, texts[l.lang])
			expect(t, msgs, h.T(l.lang, "confirm.category", map[string]any{"Category": h.T(l.lang, "category.quality_defect")}))
			if got := buttons(last(t, msgs)); !slices.Equal(got, []string{h.T(l.lang, "button.yes"), h.T(l.lang, "button.other")}) {
				t.Fatalf("confirmation buttons %q", got)
			}
			msgs = h.tap(u, h.T(l.lang, "button.yes"))
			// The question the text answered is shown as known, and the
			// next one asked is the first not answered.
			expect(t, msgs, h.T(l.lang, "test.qd.opt.broken"), h.T(l.lang, "test.qd.bought"))
			if q := last(t, msgs); strings.Contains(q.Text, h.T(l.lang, "test.qd.what")) && len(buttons(q)) > 0 && slices.Contains(buttons(q), h.T(l.lang, "test.qd.opt.broken")) {
				t.Fatalf("asked the answered question again: %q", q.Text)
			}

			// Text that describes nothing gets the menu; "something else" too.
			expect(t, h.send(u, "/new hello"), h.T(l.lang, "notice.pick_category"), h.T(l.lang, "test.menu.pick"))
			h.send(u, texts[l.lang])
			expect(t, h.tap(u, h.T(l.lang, "button.other")), h.T(l.lang, "test.menu.pick"))
		})
	}
}

func TestFreeTextWithoutDescriberShowsTheMenu(t *testing.T) {
	h := newHarness(t)
	h.start()
	u := h.api.NewUser(1400, "Bo", "en")
	expect(t, h.send(u, "my kettle broke"), h.T("en", "notice.pick_category"), h.T("en", "test.menu.pick"))
}

func TestHostileText(t *testing.T) {
	long := strings.Repeat("退款 refund 😀\u0000\u202e<b>&amp;", 1000)[:10000]
	h := newHarness(t)
	h.start(func(c *Config) { c.Describer = fakeDescriber{} })
	u := h.api.NewUser(1500, "Fu", "en")
	for _, where := range []string{"menu", "choice", "money"} {
		t.Run(where, func(t *testing.T) {
			switch where {
			case "choice":
				h.tap(u, h.T("en", "category.quality_defect"))
			case "money":
				h.tap(u, h.T("en", "test.qd.opt.fake"))
				h.tap(u, h.T("en", "test.qd.opt.online"))
			}
			for _, text := range []string{long, "\u0007\u0008\t\r", "🙂🙃😡🤬", "مرحبا שלום 你好 hello", "<script>alert(1)</script> & 1 < 2"} {
				msgs := h.send(u, text)
				if len(msgs) == 0 {
					t.Fatalf("no answer to %q", truncate(text, 20))
				}
				for _, m := range msgs {
					if strings.Contains(m.Text, h.T("en", "bot.notice.sorry")) {
						t.Fatalf("apology for %q", truncate(text, 20))
					}
				}
			}
		})
	}
}

func TestStoreDown(t *testing.T) {
	for i, l := range languages {
		t.Run(l.lang, func(t *testing.T) {
			h := newHarness(t)
			h.store = downStore{}
			h.start()
			u := h.api.NewUser(int64(1600+i), "Wu", l.code)
			for _, text := range []string{"/start", "hello", "/back"} {
				expect(t, h.send(u, text), h.T(l.lang, "notice.store_down"))
			}
		})
	}
}

// downStore is a Redis that does not answer. (Share links, which the bot
// does not use, are left to the embedded nil Store.)
type downStore struct{ store.Store }

func (downStore) Get(context.Context, string) (engine.Session, error) {
	return engine.Session{}, fmt.Errorf("get: dial tcp: connection refused: %w", store.ErrUnavailable)
}
func (downStore) Put(context.Context, string, engine.Session) (engine.Session, error) {
	return engine.Session{}, fmt.Errorf("put: %w", store.ErrUnavailable)
}
func (downStore) Delete(context.Context, string) error { return store.ErrUnavailable }

// panicky is a Describer with a bug.
type panicky struct{}

func (panicky) Describe(text string) (engine.Proposal, bool) {
	if strings.HasPrefix(text, "boom") {
		var m map[string]string
		m["x"] = text // assignment to a nil map
	}
	return engine.Proposal{}, false
}

func TestPanicIsRecovered(t *testing.T) {
	h := newHarness(t)
	h.start(func(c *Config) { c.Describer = panicky{} })
	u := h.api.NewUser(1700, "Lu", "zh")
	h.send(u, "/start")
	// (A description long enough to be classified: one word never is.)
	expect(t, h.send(u, "boom: the describer fails on this text"), h.T("zh", "bot.notice.sorry"))
	// The bot keeps serving, this chat and others.
	expect(t, h.tap(u, h.T("zh", "category.food_safety")), h.T("zh", "test.fs.what"))
	if !strings.Contains(h.logs.String(), "panic handling an update") {
		t.Fatal("the panic was not logged")
	}
}

func TestCommands(t *testing.T) {
	h := newHarness(t)
	h.start(func(c *Config) { c.SessionTTL, c.PersonalTTL = 720*time.Hour, 336*time.Hour })
	for i, l := range languages {
		u := h.api.NewUser(int64(1800+i), "Tang", l.code)
		t.Run(l.lang, func(t *testing.T) {
			expect(t, h.send(u, "/help"), h.T(l.lang, "bot.help"))
			expect(t, h.send(u, "/privacy"), h.T(l.lang, "bot.privacy", map[string]any{"Period": period(l.lang, 720*time.Hour)}),
				h.T(l.lang, "bot.privacy.personal", map[string]any{"Period": period(l.lang, 336*time.Hour)}))
			expect(t, h.send(u, "/summary"), h.T(l.lang, "summary.not_ready"))
			expect(t, h.send(u, "/frobnicate"), h.T(l.lang, "bot.notice.unknown_command"))
			// A deep link opens its category; an unknown one, the menu.
			expect(t, h.send(u, "/start food_safety"), h.T(l.lang, "bot.welcome"), h.T(l.lang, "test.fs.what"))
			expect(t, h.send(u, "/start"), h.T(l.lang, "bot.welcome_back"), h.T(l.lang, "test.fs.what"))
			expect(t, h.send(u, "/start nonsense"), h.T(l.lang, "test.menu.pick"))
			expect(t, h.send(u, "/new"), h.T(l.lang, "notice.pick_category"), h.T(l.lang, "test.menu.pick"))
			// The outcome is what /summary sends for now.
			h.tap(u, h.T(l.lang, "category.food_safety"))
			h.tap(u, h.T(l.lang, "test.fs.opt.expired"))
			expect(t, h.send(u, "/summary"), h.T(l.lang, "test.fs.title"))
		})
	}
	// The command menu, in English by default and per language.
	cmds := h.api.Commands()
	if len(cmds) != 3 {
		t.Fatalf("setMyCommands called %d times, want 3", len(cmds))
	}
	for _, c := range cmds {
		lang := render.Lang(c.LanguageCode)
		if len(c.Commands) != len(menuCommands) || c.Commands[0].Description != h.T(lang, "bot.cmd.start") {
			t.Fatalf("commands for %q: %+v", c.LanguageCode, c.Commands)
		}
	}
}
