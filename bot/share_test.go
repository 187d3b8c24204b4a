package bot

import (
	"context"
	"html"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/disputebot/disputebot/bot/telegramtest"
	"github.com/disputebot/disputebot/internal/store"
	"github.com/disputebot/disputebot/internal/summary"
)

const publicURL = "https://bot.example/case"

// startPublic runs a bot (long polling) with a PublicURL, its HTTP server
// on a free local port, and returns the server's base URL.
func (h *harness) startPublic(edit ...func(*Config)) (*Bot, string) {
	h.t.Helper()
	cfg := h.config()
	cfg.PublicURL, cfg.ListenAddr = publicURL, "127.0.0.1:0"
	for _, e := range edit {
		e(&cfg)
	}
	b := h.newBot(cfg)
	addr := make(chan net.Addr, 1)
	b.listening = func(a net.Addr) { addr <- a }
	h.run(b)
	select {
	case a := <-addr:
		return b, "http://" + a.String()
	case <-time.After(10 * time.Second):
		h.t.Fatal("the HTTP server did not start in polling mode with a PublicURL")
	}
	return nil, ""
}

// get fetches a path from the bot's HTTP server.
func get(t *testing.T, base, path string) (int, http.Header, string) {
	t.Helper()
	resp, err := http.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(body)
}

// toOutcome walks a new user through quality_defect to its outcome.
func toOutcome(t *testing.T, h *harness, u *telegramtest.User, lang string) {
	t.Helper()
	h.send(u, "/start")
	h.tap(u, h.T(lang, "category.quality_defect"))
	h.tap(u, h.T(lang, "test.qd.opt.broken"))
	h.tap(u, h.T(lang, "test.qd.opt.online"))
	h.send(u, "299")
	expect(t, h.send(u, "2026-11-20"), h.T(lang, "test.qd.title"), h.T(lang, "bot.checklist.intro"))
}

// inline delivers an inline query and returns the bot's answer to it.
func (h *harness) inline(u *telegramtest.User, query string) telegramtest.Call {
	h.t.Helper()
	upd := u.InlineQuery(query)
	h.deliver(upd)
	for _, c := range h.api.Calls("answerInlineQuery") {
		if c.Params["inline_query_id"] == upd.InlineQuery.ID {
			if !c.OK() {
				h.t.Fatalf("answerInlineQuery refused: %s", c.Description)
			}
			return c
		}
	}
	h.t.Fatalf("inline query %q not answered", query)
	return telegramtest.Call{}
}

// documents returns the files sent to chat, by name.
func documents(h *harness, chat int64) map[string]string {
	out := map[string]string{}
	for _, c := range h.api.Calls("sendDocument") {
		if c.ChatID() == chat && c.OK() {
			f := c.Files["document"]
			out[f.Name] = string(f.Data)
		}
	}
	return out
}

func TestSummaryShareDownloadAndLink(t *testing.T) {
	for i, l := range languages {
		t.Run(l.lang, func(t *testing.T) {
			h := newHarness(t)
			h.store = redisStore(t)
			_, base := h.startPublic()
			u := h.api.NewUser(int64(5000+i), "Wei", l.code)
			toOutcome(t, h, u, l.lang)
			title := h.T(l.lang, "test.qd.title")
			receipt, photos := h.T(l.lang, "evidence.test_receipt"), h.T(l.lang, "evidence.test_photos")

			// Before any tick, the summary lists both as missing.
			expect(t, h.send(u, "/summary"), title, "⬜ "+receipt, "⬜ "+photos)
			h.tap(u, "⬜ "+receipt)
			h.tap(u, "⬜ "+photos)

			// /summary and the Summary button show the ticks.
			msgs := h.send(u, "/summary")
			expect(t, msgs, h.T(l.lang, "summary.heading", map[string]any{"Category": h.T(l.lang, "category.quality_defect")}),
				title, "✅ "+receipt, "✅ "+photos, h.T(l.lang, "summary.masked"))
			if got := buttons(last(t, msgs)); !slices.Equal(got, []string{h.T(l.lang, "bot.action.share"), h.T(l.lang, "bot.action.download"), h.T(l.lang, "bot.action.drafts"), h.T(l.lang, "bot.action.filed")}) {
				t.Fatalf("buttons under the summary: %q", got)
			}
			expect(t, h.tap(u, h.T(l.lang, "bot.action.summary")), "✅ "+receipt, "✅ "+photos)

			// Share: a token made on first use, kept on the next, and a
			// button switching to inline mode with it; the link.
			msgs = h.tap(u, h.T(l.lang, "bot.action.share"))
			s, err := h.session(u.Chat.ID)
			if err != nil {
				t.Fatal(err)
			}
			token := s.Share
			if len(token) != 22 {
				t.Fatalf("share token %q", token)
			}
			link := publicURL + "/s/" + token
			expect(t, msgs, h.T(l.lang, "bot.share.intro"), link)
			if q, ok := u.SwitchInline(h.T(l.lang, "bot.share.button")); !ok || q != token {
				t.Fatalf("share button query %q, %v; want the token", q, ok)
			}
			h.tap(u, h.T(l.lang, "bot.action.share"))
			if s, _ := h.session(u.Chat.ID); s.Share != token {
				t.Fatalf("a second share changed the token: %q → %q", token, s.Share)
			}
			// Once shared, the summary carries the link.
			expect(t, h.send(u, "/summary"), link)

			// The inline mode offers the summary, in the user's language
			// first, then the other.
			c := h.inline(u, token)
			rs := c.Results()
			if len(rs) != 2 || rs[0].ID != "summary-"+l.lang {
				t.Fatalf("inline results: %+v", rs)
			}
			if !strings.Contains(rs[0].Text, title) || !strings.Contains(rs[0].Text, link) || rs[0].Title == "" {
				t.Fatalf("inline article lacks the title or link: %q", truncate(rs[0].Text, 300))
			}
			if c.Params["is_personal"] != "true" {
				t.Fatalf("inline answer is not personal: %v", c.Params)
			}
			// Someone else with the token, or a wrong token: nothing, and
			// a button to the bot.
			other := h.api.NewUser(int64(5100+i), "Eve", l.code)
			for _, q := range []string{token, "", "hello", strings.Repeat("A", 22), token + "x"} {
				c := h.inline(other, q)
				if len(c.Results()) != 0 {
					t.Fatalf("inline query %q by another user got results", q)
				}
				if _, start := c.ResultsButton(); start != startSummary {
					t.Fatalf("inline answer button start parameter %q", start)
				}
			}

			// Download: a printable page with the legal basis, and text.
			msgs = h.tap(u, h.T(l.lang, "bot.action.download"))
			docs := documents(h, u.Chat.ID)
			date := today.Format("2006-01-02")
			page, txt := docs["case-summary-"+date+".html"], docs["case-summary-"+date+".txt"]
			cite, _ := testLaws().Cite("cpl_24", l.lang)
			if !strings.Contains(html.UnescapeString(page), cite) || !strings.Contains(page, "noindex") || !strings.Contains(page, "✅") {
				t.Fatalf("HTML document lacks the legal basis %q or noindex:\n%s", cite, truncate(page, 500))
			}
			otherCite, _ := testLaws().Cite("cpl_24", map[string]string{"en": "zh", "zh": "en"}[l.lang])
			if !strings.Contains(html.UnescapeString(page), otherCite) {
				t.Fatalf("HTML document lacks the other language")
			}
			if !strings.Contains(txt, title) || !strings.Contains(txt, cite) || strings.Contains(txt, "<b>") {
				t.Fatalf("text document: %q", truncate(txt, 300))
			}
			if len(msgs) != 2 || msgs[0].Document == nil || msgs[1].Document == nil {
				t.Fatalf("download sent %d messages", len(msgs))
			}

			// The link serves the page.
			code, hdr, body := get(t, base, "/case/s/"+token)
			if code != 200 || hdr.Get("X-Robots-Tag") == "" || !strings.Contains(hdr.Get("X-Robots-Tag"), "noindex") ||
				hdr.Get("Content-Type") != "text/html; charset=utf-8" || hdr.Get("Cache-Control") != "no-store" || hdr.Get("Referrer-Policy") != "no-referrer" {
				t.Fatalf("GET link: %d %v", code, hdr)
			}
			if !strings.Contains(body, title) || !strings.Contains(body, `content="noindex`) {
				t.Fatalf("page lacks the title: %s", truncate(body, 400))
			}
			for _, path := range []string{"/case/s/" + mustToken(t), "/case/s/short", "/case/s/" + token + "x", "/s/" + token, "/case/s/"} {
				if code, _, _ := get(t, base, path); code != 404 {
					t.Fatalf("GET %s: %d, want 404", path, code)
				}
			}

			// /forget revokes the link and the inline article.
			h.send(u, "/forget")
			h.tap(u, h.T(l.lang, "bot.forget.yes"))
			code, hdr, body = get(t, base, "/case/s/"+token)
			if code != 404 || strings.Contains(body, title) || hdr.Get("Cache-Control") != "no-store" {
				t.Fatalf("after /forget: %d %q", code, truncate(body, 200))
			}
			if len(h.inline(u, token).Results()) != 0 {
				t.Fatal("the inline article outlived /forget")
			}
			if tr := h.transcript(u.Chat.ID); strings.Contains(tr, h.T(l.lang, "bot.notice.sorry")) {
				t.Fatalf("the bot apologised:\n%s", tr)
			}
		})
	}
}

func mustToken(t *testing.T) string {
	t.Helper()
	tok, err := summary.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestNewCaseRevokesLink(t *testing.T) {
	h := newHarness(t)
	_, base := h.startPublic()
	u := h.api.NewUser(5200, "Hu", "en")
	toOutcome(t, h, u, "en")
	h.tap(u, h.T("en", "bot.action.share"))
	s, _ := h.session(u.Chat.ID)
	if code, _, _ := get(t, base, "/case/s/"+s.Share); code != 200 {
		t.Fatalf("GET link: %d", code)
	}
	// A new case's outcome must never appear behind the old link.
	h.send(u, "/new")
	h.tap(u, h.T("en", "category.food_safety"))
	h.tap(u, h.T("en", "test.fs.opt.expired"))
	if code, _, _ := get(t, base, "/case/s/"+s.Share); code != 404 {
		t.Fatalf("GET old link after a new case: %d, want 404", code)
	}
	if len(h.inline(u, s.Share).Results()) != 0 {
		t.Fatal("the old token still gives an inline article")
	}
}

func TestPublicURLStartsTheServer(t *testing.T) {
	h := newHarness(t)
	cfg := h.config()
	cfg.PublicURL = "https://bot.example/"
	b := h.newBot(cfg)
	if b.cfg.ListenAddr != ":8080" || b.link("x") != "https://bot.example/s/x" {
		t.Fatalf("listen %q, link %q", b.cfg.ListenAddr, b.link("x"))
	}
	// Served at the root, without the webhook.
	rec := newRecorder()
	req, _ := http.NewRequest(http.MethodGet, "/s/"+mustToken(t), nil)
	b.Handler().ServeHTTP(rec, req)
	if rec.code != 404 || rec.h.Get("X-Robots-Tag") == "" {
		t.Fatalf("GET unknown token: %d %v", rec.code, rec.h)
	}
	cfg.PublicURL = "ftp://bot.example"
	if _, err := New(context.Background(), cfg); err == nil {
		t.Fatal("New accepted an ftp public URL")
	}
	// Without a PublicURL, no link and no route.
	b = h.newBot(h.config())
	rec = newRecorder()
	b.Handler().ServeHTTP(rec, req)
	if b.link("x") != "" || rec.code != 404 {
		t.Fatalf("no PublicURL: link %q, GET %d", b.link("x"), rec.code)
	}
}

func TestPageWhenStoreIsDown(t *testing.T) {
	h := newHarness(t)
	cfg := h.config()
	cfg.PublicURL = "https://bot.example"
	cfg.Store = linkDownStore{}
	b := h.newBot(cfg)
	rec := newRecorder()
	req, _ := http.NewRequest(http.MethodGet, "/s/"+mustToken(t), nil)
	b.Handler().ServeHTTP(rec, req)
	if rec.code != http.StatusServiceUnavailable || strings.Contains(h.logs.String(), req.URL.Path[3:]) {
		t.Fatalf("GET with the store down: %d; or the token was logged", rec.code)
	}
}

type linkDownStore struct{ downStore }

func (linkDownStore) GetLink(context.Context, string) (string, error) {
	return "", store.ErrUnavailable
}

func TestDraft12315AsksForTheMerchantAddress(t *testing.T) {
	details := map[string][]string{
		"en": {"Wang Fang", "13812345678", "Room 5, 1 Huaihai Road, Shanghai", "Kettle Home Store", "88 Nanjing East Road, Shanghai", "A full refund of ¥299"},
		"zh": {"王芳", "13812345678", "上海市淮海路1号5室", "水壶之家", "上海市南京东路88号", "全额退款299元"},
	}
	for i, l := range languages {
		t.Run(l.lang, func(t *testing.T) {
			h := newHarness(t)
			h.store = redisStore(t)
			h.start(func(c *Config) { c.Describer = fakeDescriber{} })
			u := h.api.NewUser(int64(5300+i), "Fang", l.code)
			toOutcome(t, h, u, l.lang)

			expect(t, h.tap(u, h.T(l.lang, "bot.action.drafts")), h.T(l.lang, "bot.draft.pick"))
			msgs := h.tap(u, h.T(l.lang, "bot.draft.12315"))
			expect(t, msgs, h.T(l.lang, "draft.ask.complainant_name"))
			// The summary is still there while details are asked for, and
			// asking for it leaves the questions open.
			expect(t, h.send(u, "/summary"), h.T(l.lang, "test.qd.title"))
			d := details[l.lang]
			expect(t, h.send(u, d[0]), h.T(l.lang, "draft.ask.complainant_phone"))
			expect(t, h.send(u, d[1]), h.T(l.lang, "draft.ask.complainant_address"))
			expect(t, h.send(u, d[2]), h.T(l.lang, "draft.ask.merchant_name"))
			// The case has no merchant address: the bot asks for it.
			expect(t, h.send(u, d[3]), h.T(l.lang, "draft.ask.merchant_address"))
			expect(t, h.send(u, d[4]), h.T(l.lang, "draft.ask.demand"))
			msgs = h.send(u, d[5])
			// The draft, unmasked (12315 needs the complainant's identity),
			// then where to send it.
			expect(t, msgs, h.T(l.lang, "draft.title.12315"), d[4], d[0], d[1], d[5], h.T(l.lang, "draft.channel_hint.12315"))
			s, _ := h.session(u.Chat.ID)
			if s.Form != nil || s.Facts["merchant_address"] != d[4] {
				t.Fatalf("after the draft: form %+v, facts %v", s.Form, s.Facts)
			}
			zhButton := slices.Contains(buttons(last(t, msgs)), h.T(l.lang, "bot.draft.zh"))
			if l.lang == "zh" {
				if zhButton {
					t.Fatal("a Chinese draft offers a Chinese version")
				}
				return
			}
			if !zhButton {
				t.Fatalf("no 中文版 button: %q", buttons(last(t, msgs)))
			}
			expect(t, h.tap(u, h.T(l.lang, "bot.draft.zh")), h.T("zh", "draft.title.12315"), d[4])
			// The draft needs no more questions the second time.
			h.tap(u, h.T(l.lang, "bot.action.drafts"))
			expect(t, h.tap(u, h.T(l.lang, "bot.draft.merchant")), h.T(l.lang, "draft.title.merchant"), d[3], d[5])
		})
	}
}

func TestDraftDetailsAreAnswers(t *testing.T) {
	h := newHarness(t)
	h.start(func(c *Config) { c.Describer = fakeDescriber{} })
	u := h.api.NewUser(5400, "Ma", "en")
	h.send(u, "/start")
	h.tap(u, h.T("en", "category.food_safety"))
	h.tap(u, h.T("en", "test.fs.opt.expired"))
	h.tap(u, h.T("en", "bot.action.drafts"))
	expect(t, h.tap(u, h.T("en", "bot.draft.platform")), h.T("en", "draft.ask.merchant_name"))
	// Text the classifier would take for a new quality case is a detail.
	expect(t, h.send(u, "The shop whose kettles broke"), h.T("en", "draft.ask.demand"))
	// Back leaves the questions and shows the outcome again.
	expect(t, h.tap(u, h.T("en", "button.back")), h.T("en", "test.fs.title"))
	s, _ := h.session(u.Chat.ID)
	if s.Form != nil || s.Facts["merchant_name"] != "The shop whose kettles broke" {
		t.Fatalf("form %+v, facts %v", s.Form, s.Facts)
	}
}

func TestActionsBeforeAnOutcomeChangeNothing(t *testing.T) {
	h := newHarness(t)
	h.start()
	u := h.api.NewUser(5500, "Lu", "en")
	toQuestion(t, h, u, "en")
	before, _ := h.session(u.Chat.ID)
	q := last(t, h.api.Messages(u.Chat.ID))
	for _, data := range []string{"s:1:sum", "s:1:share", "s:1:dl", "s:1:draft", "d:12315", "d:zh:12315"} {
		t.Run(data, func(t *testing.T) {
			got := h.during(u, func() { h.deliver(u.Tap(q.ID, data)) })
			expect(t, got, h.T("en", "test.qd.bought"))
			assertToast(t, h, h.T("en", "bot.toast.stale"))
			assertUnchanged(t, h, u.Chat.ID, before)
		})
	}
	if n := len(h.api.Calls("sendDocument")); n != 0 {
		t.Fatalf("%d documents sent without an outcome", n)
	}
	if s, _ := h.session(u.Chat.ID); s.Share != "" || s.Form != nil {
		t.Fatalf("share %q, form %+v", s.Share, s.Form)
	}
	// An action button from an earlier outcome of this chat is refused too:
	// it must not act on the case shown now.
	u = h.api.NewUser(5502, "Lu", "en")
	toOutcome(t, h, u, "en")
	first, _ := h.session(u.Chat.ID)
	oldShare := "s:" + first.At + ":" + actShare
	h.send(u, "/restart")
	before, _ = h.session(u.Chat.ID)
	h.deliver(u.Tap(last(t, h.api.Messages(u.Chat.ID)).ID, oldShare))
	assertToast(t, h, h.T("en", "bot.toast.stale"))
	assertUnchanged(t, h, u.Chat.ID, before)

	// The Chinese version of a draft never made is refused at an outcome too.
	u = h.api.NewUser(5501, "Lu", "en")
	toOutcome(t, h, u, "en")
	before, _ = h.session(u.Chat.ID)
	h.deliver(u.Tap(last(t, h.api.Messages(u.Chat.ID)).ID, "d:zh:12315"))
	assertToast(t, h, h.T("en", "bot.toast.stale"))
	assertUnchanged(t, h, u.Chat.ID, before)
}

// Personal data typed into an answer, in every form Mask knows.
var personal = []struct{ raw, masked string }{
	{"13812345678", "138****5678"},
	{"11010119900307123X", "110***********123X"},
	{"6222 0212 3456 7890", "**** **** **** 7890"},
	{"li.wei@example.com", "l***@example.com"},
	{"E12345678", "E****5678"},
}

func TestSharedSummaryMasksPersonalData(t *testing.T) {
	var typed []string
	for _, p := range personal {
		typed = append(typed, p.raw)
	}
	answer := "Reach me: " + strings.Join(typed, ", ")
	for i, l := range languages {
		t.Run(l.lang, func(t *testing.T) {
			h := newHarness(t)
			_, base := h.startPublic()
			u := h.api.NewUser(int64(5600+i), "Li", l.code)
			h.send(u, "/start")
			h.tap(u, h.T(l.lang, "category.food_safety"))
			expect(t, h.tap(u, h.T(l.lang, "test.fs.opt.other")), h.T(l.lang, "test.fs.details"))
			// An outcome without evidence has the actions on their own.
			msgs := h.send(u, answer)
			expect(t, msgs, h.T(l.lang, "test.fs.title"), h.T(l.lang, "bot.actions.intro"))

			var shared []string
			for _, m := range h.send(u, "/summary") {
				shared = append(shared, "summary: "+m.Text)
			}
			h.tap(u, h.T(l.lang, "bot.action.share"))
			s, _ := h.session(u.Chat.ID)
			for _, r := range h.inline(u, s.Share).Results() {
				shared = append(shared, "inline: "+r.Text)
			}
			_, _, page := get(t, base, "/case/s/"+s.Share)
			shared = append(shared, "page: "+page)
			h.tap(u, h.T(l.lang, "bot.action.download"))
			for name, data := range documents(h, u.Chat.ID) {
				shared = append(shared, name+": "+data)
			}
			if len(shared) < 6 {
				t.Fatalf("only %d shared texts", len(shared))
			}
			for _, text := range shared {
				what, _, _ := strings.Cut(text, ":")
				plain := html.UnescapeString(text)
				for _, p := range personal {
					if strings.Contains(plain, p.raw) || strings.Contains(strings.ReplaceAll(plain, " ", ""), strings.ReplaceAll(p.raw, " ", "")) {
						t.Errorf("%s leaks %q", what, p.raw)
					}
				}
				// The answer is there, masked: masking hides the numbers,
				// not the answer.
				if !strings.Contains(plain, personal[0].masked) || !strings.Contains(plain, personal[3].masked) {
					t.Errorf("%s lacks the masked answer", what)
				}
			}
		})
	}
}

// TestShareWithoutInlineMode: Telegram refuses a switch_inline_query
// button while the bot's inline mode is off; the user still gets the link
// and the card to forward.
func TestShareWithoutInlineMode(t *testing.T) {
	h := newHarness(t)
	h.startPublic()
	u := h.api.NewUser(5700, "Xu", "en")
	toOutcome(t, h, u, "en")
	h.api.FailNext("sendMessage", telegramtest.Failure{Code: 400, Description: "Bad Request: BUTTON_TYPE_INVALID"})
	msgs := h.tap(u, h.T("en", "bot.action.share"))
	expect(t, msgs, h.T("en", "bot.share.intro"), publicURL+"/s/", h.T("en", "test.qd.title"))
	if tr := h.transcript(u.Chat.ID); strings.Contains(tr, h.T("en", "bot.notice.sorry")) {
		t.Fatalf("the bot apologised:\n%s", tr)
	}
}

func TestInlineQueryWithStoreDown(t *testing.T) {
	h := newHarness(t)
	h.store = linkDownStore{}
	h.start()
	u := h.api.NewUser(5800, "Ye", "zh")
	c := h.inline(u, mustToken(t))
	if len(c.Results()) != 0 {
		t.Fatal("results with the store down")
	}
	if text, _ := c.ResultsButton(); text != h.T("zh", "bot.inline.none") {
		t.Fatalf("button %q", text)
	}
	if n := len(h.api.Calls("sendMessage")); n != 0 {
		t.Fatalf("%d messages for an inline query", n)
	}
}

// TestStartSummaryDeepLink: the inline mode's button opens the bot with
// ?start=summary, which sends the summary and leaves the case alone.
func TestStartSummaryDeepLink(t *testing.T) {
	h := newHarness(t)
	h.start()
	u := h.api.NewUser(5900, "Qin", "en")
	expect(t, h.send(u, "/start summary"), h.T("en", "summary.not_ready"))
	toOutcome(t, h, u, "en")
	before, _ := h.session(u.Chat.ID)
	expect(t, h.send(u, "/start summary"), h.T("en", "test.qd.title"), "⬜ "+h.T("en", "evidence.test_receipt"))
	assertUnchanged(t, h, u.Chat.ID, before)
}

// Saving a share token (around the advisor) leaves no stale cached copy:
// the next step does not conflict with the bot's own save.
func TestShareThenStepDoesNotConflict(t *testing.T) {
	h := newHarness(t)
	m := newMetricsRecorder()
	h.start(func(c *Config) { c.Metrics = m })
	u := h.api.NewUser(4900, "B", "en")
	toOutcome(t, h, u, "en")
	h.tap(u, h.T("en", "bot.action.share"))
	h.send(u, "/new")
	if n := m.get("conflict"); n != 0 {
		t.Fatalf("%d store conflicts after the bot's own share-token save", n)
	}
}
