package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/disputebot/disputebot/bot/telegramtest"
	"github.com/disputebot/disputebot/dialogs"
	"github.com/disputebot/disputebot/internal/dialog"
	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/intake"
	"github.com/disputebot/disputebot/internal/render"
	"github.com/disputebot/disputebot/internal/source"
	"github.com/disputebot/disputebot/locales"
)

// These tests run free-text descriptions through everything the bot ships
// with: the real dialogs, locales and laws, and the real describer (the
// classifier and the fact extraction), on a fixed clock. They check what a
// user sees: which questions the description answers (✓ lines), and that
// the bot then asks something the description did not say, never the same
// thing twice in a row.

// realToday is the describer's clock: Thursday 26 November 2026, China time.
var realToday = time.Date(2026, 11, 26, 9, 0, 0, 0, engine.China)

// realBot starts a bot on the shipped content and the real describer.
func realBot(t *testing.T) (*harness, *engine.Catalog) {
	t.Helper()
	b, probs := dialog.Load(dialogs.FS, locales.FS, append(render.Keys(), Keys()...))
	if len(probs) > 0 {
		t.Skipf("the shipped dialogs do not load (disputebot lint lists why):\n%v", source.Error(probs[:min(len(probs), 5)]))
	}
	r, err := render.New(locales.FS, b.Laws)
	if err != nil {
		t.Fatal(err)
	}
	d, err := intake.New(func() time.Time { return realToday })
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	h.r = r
	h.start(func(c *Config) {
		c.Catalog, c.Describer = b.Catalog, d
		c.Now = func() time.Time { return realToday }
	})
	return h, b.Catalog
}

// describe sends a description, checks the bot proposes category and
// accepts it; it returns what the bot sent after the Yes.
func describe(t *testing.T, h *harness, u *telegramtest.User, lang, text, category string) []models.Message {
	t.Helper()
	msgs := h.send(u, text)
	expect(t, msgs, h.T(lang, "confirm.category", map[string]any{"Category": h.T(lang, "category."+category)}))
	return h.tap(u, h.T(lang, "button.yes"))
}

// asking returns the node the session waits on, failing unless the bot's
// last message asks its question.
func asking(t *testing.T, h *harness, u *telegramtest.User, cat *engine.Catalog, lang string, msgs []models.Message) string {
	t.Helper()
	s, err := h.session(u.Chat.ID)
	if err != nil {
		t.Fatal(err)
	}
	n := cat.Trees[s.Tree].Nodes[s.Node]
	if n.Kind != engine.Choice && n.Kind != engine.Input {
		t.Fatalf("at %s/%s (%s), want a question; chat:\n%s", s.Tree, s.Node, n.Kind, h.transcript(u.Chat.ID))
	}
	q := last(t, msgs)
	if ask := h.T(lang, n.Text); !strings.Contains(q.Text, ask) || strings.Contains(q.Text, "✓ "+ask) {
		t.Fatalf("last message %q does not ask %s; chat:\n%s", q.Text, n.Text, h.transcript(u.Chat.ID))
	}
	return s.Tree + "/" + s.Node
}

// known is the ✓ line for a question answered from the description.
func known(h *harness, lang, question, answer string) string {
	return h.T(lang, "known.answer", map[string]any{"Question": h.T(lang, question), "Answer": answer})
}

func noApology(t *testing.T, h *harness, u *telegramtest.User, lang string) {
	t.Helper()
	if tr := h.transcript(u.Chat.ID); strings.Contains(tr, h.T(lang, "bot.notice.sorry")) {
		t.Fatalf("the bot apologised:\n%s", tr)
	}
}

// The sign-for date in the description answers the sign-for question, not
// the order date: 11月20日签收 → 20 November, and the next question is
// about what the seller said.
func TestRealDescriptionAnswersSignForDate(t *testing.T) {
	zh := "淘宝买的衣服11月20日签收，商家不给七天无理由退货"
	cases := []struct{ lang, code, text string }{
		{"zh", "zh-hans", zh},
		{"en", "en-GB", zh},
		{"en", "en-US", "I got the clothes from Taobao on Nov 20 and the seller refuses the 7-day no-reason return"},
		// Two dates: each answers its own question, or none.
		{"zh", "zh-hans", "淘宝买的衣服11月10日下单，11月20日签收，商家不给七天无理由退货"},
	}
	for i, c := range cases {
		t.Run(c.lang+"/"+c.text, func(t *testing.T) {
			h, cat := realBot(t)
			u := h.api.NewUser(int64(5100+i), "Mei", c.code)
			msgs := describe(t, h, u, c.lang, c.text, "return_refused")
			if got := asking(t, h, u, cat, c.lang, msgs); got != "return_refused/what" {
				t.Fatalf("after Yes, asking %s", got)
			}
			msgs = h.tap(u, h.T(c.lang, "return_refused.opt.refused"))
			expect(t, msgs,
				known(h, c.lang, "return_refused.q.channel", h.T(c.lang, "return_refused.opt.online")),
				known(h, c.lang, "return_refused.q.signed_date", render.Date(c.lang, "2026-11-20")))
			if got := asking(t, h, u, cat, c.lang, msgs); got != "return_refused/merchant" {
				t.Fatalf("after the known answers, asking %s; chat:\n%s", got, h.transcript(u.Chat.ID))
			}
			s, _ := h.session(u.Chat.ID)
			if s.Facts["signed_date"] != "2026-11-20" {
				t.Errorf("signed_date = %q, want 2026-11-20", s.Facts["signed_date"])
			}
			// The 7 days run from the sign-for date: open until 27 November.
			msgs = h.tap(u, h.T(c.lang, "return_refused.opt.no_reply"))
			expect(t, msgs, h.T(c.lang, "return_refused.noreason.title"), render.Date(c.lang, "2026-11-27"))
			noApology(t, h, u, c.lang)
		})
	}
}

// A description with no facts still gets its category and a first question.
func TestRealDescriptionPersonalInfo(t *testing.T) {
	for i, l := range languages {
		t.Run(l.lang, func(t *testing.T) {
			h, cat := realBot(t)
			u := h.api.NewUser(int64(5200+i), "Lan", l.code)
			msgs := describe(t, h, u, l.lang, "The hotpot place won't let me order unless I log in with WeChat", "personal_info")
			if got := asking(t, h, u, cat, l.lang, msgs); !strings.HasPrefix(got, "personal_info/") {
				t.Fatalf("asking %s", got)
			}
			if len(buttons(last(t, msgs))) == 0 {
				t.Fatalf("the first question has no buttons: %q", last(t, msgs).Text)
			}
			noApology(t, h, u, l.lang)
		})
	}
}

// "健身房跑路了卡里还有3000": 3000 is what is left on the card, not what was
// paid, so the prepayment is asked; 跑路 answers "what is the business
// doing now?", so after "closed or vanished" the bot does not ask about the
// closure again.
func TestRealDescriptionVanishedGymBalance(t *testing.T) {
	cases := []struct{ lang, code, text string }{
		{"zh", "zh-hans", "健身房跑路了卡里还有3000"},
		{"en", "en-GB", "健身房跑路了卡里还有3000"},
		{"en", "en-US", "My gym vanished and I still have 3000 left on my card"},
	}
	for i, c := range cases {
		t.Run(c.lang+"/"+c.text, func(t *testing.T) {
			h, cat := realBot(t)
			u := h.api.NewUser(int64(5300+i), "Jun", c.code)
			var asked []string
			step := func(msgs []models.Message) []models.Message {
				t.Helper()
				at := asking(t, h, u, cat, c.lang, msgs)
				if n := len(asked); n > 0 && asked[n-1] == at {
					t.Fatalf("asked %s twice in a row; chat:\n%s", at, h.transcript(u.Chat.ID))
				}
				asked = append(asked, at)
				return msgs
			}

			step(describe(t, h, u, c.lang, c.text, "service_refund"))
			msgs := step(h.tap(u, h.T(c.lang, "service_refund.opt.closed")))
			expect(t, msgs, known(h, c.lang, "service_refund.q.closure", h.T(c.lang, "service_refund.opt.vanished")))
			step(h.tap(u, h.T(c.lang, "service_refund.opt.stored")))
			step(h.send(u, "2026-11-20"))
			step(h.send(u, "5000"))
			msgs = h.send(u, "1000")
			expect(t, msgs, h.T(c.lang, "service_refund.closed.title"))

			want := []string{"service_refund/what_happened", "service_refund/plan", "service_refund/problem_date", "service_refund/prepaid", "service_refund/consumed"}
			if strings.Join(asked, " ") != strings.Join(want, " ") {
				t.Errorf("asked %v, want %v", asked, want)
			}
			for _, m := range h.api.Messages(u.Chat.ID) {
				if strings.Contains(m.Text, "✓ "+h.T(c.lang, "service_refund.q.prepaid")) {
					t.Errorf("the prepayment was filled in from the description: %q", m.Text)
				}
			}
			s, _ := h.session(u.Chat.ID)
			if s.Facts["prepaid"] != "5000.00" || s.Facts["closure"] != "vanished" || s.Facts["balance"] != "3000.00" {
				t.Errorf("facts %v", s.Facts)
			}
			noApology(t, h, u, c.lang)
		})
	}
}
