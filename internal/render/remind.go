package render

import (
	"fmt"
	"strings"
	"time"

	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/remind"
)

// Reminder words a reminder in lang: what it is about, the deadline and its
// date, the articles behind it (from the law registry) and the one thing
// to do now; a follow-up asks whether the merchant answered. The buttons
// are the front end's.
func (r *Renderer) Reminder(lang string, rem remind.Reminder, f Format) (string, error) {
	w := &writer{f: f}
	var title string
	var err error
	switch {
	case rem.Kind == remind.FollowUp:
		title, err = r.T(lang, "remind.title.followup", nil)
	case rem.Kind == remind.Passed:
		title, err = r.T(lang, "remind.title.passed", nil)
	case rem.Days > 0:
		title, err = r.t(lang, "remind.title.before", map[string]any{"Days": rem.Days}, rem.Days)
	default:
		title, err = r.T(lang, "remind.title.today", nil)
	}
	if err != nil {
		return "", err
	}
	w.bold(title)
	w.nl()
	if rem.Kind == remind.FollowUp {
		s, err := r.T(lang, "remind.followup", nil)
		if err != nil {
			return "", err
		}
		w.text(s)
		return w.String(), nil
	}
	name, err := r.T(lang, "deadline."+rem.Rule, map[string]any{"From": Date(lang, rem.From)})
	if err != nil {
		return "", err
	}
	key := "remind.deadline"
	if rem.Kind == remind.Passed {
		key = "remind.deadline_passed"
	}
	line, err := r.T(lang, key, map[string]any{"Name": name, "Due": Date(lang, rem.Due)})
	if err != nil {
		return "", err
	}
	w.text(line)
	w.nl()
	if len(rem.Law) > 0 {
		var cites []string
		for _, id := range rem.Law {
			c, ok := r.laws.Cite(id, Lang(lang))
			if !ok {
				return "", fmt.Errorf("law %q not in the registry", id)
			}
			cites = append(cites, c)
		}
		sep := "; "
		if Lang(lang) == ZH {
			sep = "；"
		}
		s, err := r.T(lang, "remind.law", map[string]any{"Cite": strings.Join(cites, sep)})
		if err != nil {
			return "", err
		}
		w.text(s)
		w.nl()
	}
	do, err := r.T(lang, "remind.do."+rem.Rule, nil)
	if err != nil {
		return "", err
	}
	s, err := r.T(lang, "remind.now", map[string]any{"Do": do})
	if err != nil {
		return "", err
	}
	w.bold(s)
	return w.String(), nil
}

// When formats a time as China's clock shows it: "5 December 2026, 09:00"
// or "2026年12月5日 09:00".
func When(lang string, t time.Time) string {
	c := t.In(engine.China)
	return Date(lang, c.Format(engine.DateLayout)) + map[bool]string{true: " ", false: ", "}[Lang(lang) == ZH] + c.Format("15:04")
}
