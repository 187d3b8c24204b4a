package render_test

import (
	"html"
	"strings"
	"testing"
	"time"

	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/remind"
	"github.com/disputebot/disputebot/internal/render"
)

// Every reminder a deadline rule can bring renders in both languages,
// naming the deadline, its date, the article and the thing to do.
func TestReminderEveryRule(t *testing.T) {
	b, r := loadReal(t)
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, engine.China)
	for rule := range engine.DeadlineRules {
		d, _ := engine.ComputeDeadline(rule, "2026-12-02", now)
		rems := remind.Deadlines("tg:1", "zh", &engine.Advice{Deadlines: []engine.Deadline{d}}, now)
		if len(rems) == 0 {
			t.Fatalf("%s: no reminders", rule)
		}
		for _, rem := range rems {
			for _, lang := range []string{render.ZH, render.EN} {
				for _, f := range []render.Format{render.Plain, render.HTML} {
					text, err := r.Reminder(lang, rem, f)
					if err != nil {
						t.Fatalf("%s %s %s: %v", rule, rem.ID, lang, err)
					}
					due := render.Date(lang, d.Due)
					do, _ := r.T(lang, "remind.do."+rule, nil)
					name, _ := r.T(lang, "deadline."+rule, map[string]any{"From": render.Date(lang, d.From)})
					if f == render.HTML {
						do, name = html.EscapeString(do), html.EscapeString(name)
					}
					for _, want := range []string{due, do, name} {
						if !strings.Contains(text, want) {
							t.Errorf("%s %s %s lacks %q:\n%s", rule, rem.ID, lang, want, text)
						}
					}
					for _, id := range d.Law {
						art := b.Laws.Entries[id].Article.EN
						if lang == render.ZH {
							art = b.Laws.Entries[id].Article.ZH
						}
						if !strings.Contains(text, art) {
							t.Errorf("%s %s lacks the article of %s:\n%s", rule, lang, id, text)
						}
					}
				}
			}
		}
	}
}

func TestReminderExamples(t *testing.T) {
	b, r := loadReal(t)
	cite, _ := b.Laws.Cite("phone_12", "en")
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, engine.China)
	d, _ := engine.ComputeDeadline("sanbao_exchange", "2026-12-01", now)
	rems := remind.Deadlines("tg:1", "en", &engine.Advice{Deadlines: []engine.Deadline{d}}, now)
	got, err := r.Reminder("en", rems[0], render.Plain)
	if err != nil {
		t.Fatal(err)
	}
	want := "⏰ Reminder: 2 days left\n三包 exchange window: a fault that appears within 15 days of purchase (1 December 2026) lets you choose exchange or repair: the last day is 16 December 2026.\n" +
		"Law: " + cite + "\nNow: if the fault appeared by this day, tell the seller in writing that you want an exchange (or a repair), and keep a record."
	if got != want {
		t.Errorf("en:\n%s\nwant\n%s", got, want)
	}
	zh, _ := r.Reminder("zh", rems[1], render.HTML)
	if !strings.HasPrefix(zh, "<b>⏰ 提醒：今天是最后一天</b>\n") || !strings.Contains(zh, "2026年12月16日") {
		t.Errorf("zh:\n%s", zh)
	}
	f, _ := r.Reminder("zh", remind.NewFollowUp("tg:1", "zh", now), render.Plain)
	if !strings.Contains(f, "商家答复了吗") {
		t.Errorf("follow-up:\n%s", f)
	}
	if w := render.When("en", time.Date(2026, 12, 5, 1, 0, 0, 0, time.UTC)); w != "5 December 2026, 09:00" {
		t.Errorf("When = %q", w)
	}
	if w := render.When("zh", time.Date(2026, 12, 5, 1, 0, 0, 0, time.UTC)); w != "2026年12月5日 09:00" {
		t.Errorf("When = %q", w)
	}
}
