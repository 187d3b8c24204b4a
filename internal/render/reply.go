package render

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/disputebot/disputebot/internal/engine"
)

// Keys are the message keys this package uses itself, beyond those in the
// trees. Lint checks each exists in every language.
func Keys() []string {
	keys := []string{
		"outcome.law", "outcome.compensation", "outcome.deadlines", "outcome.steps",
		"outcome.evidence", "outcome.refusals", "outcome.disclaimer",
		"deadline.left", "deadline.today", "deadline.closed", "deadline.non_working_day", "deadline.runs_to",
		"compensation.min_applied", "known.answer", "confirm.category", "confirm.unsure",
		"button.back", "button.yes", "button.other", "button.something_else",
		"input.hint.text", "input.hint.number", "input.hint.money", "input.hint.date", "input.hint.yesno",
		"yesno.yes", "yesno.no",
	}
	for _, c := range engine.Categories {
		keys = append(keys, "category."+c)
	}
	for rule := range engine.DeadlineRules {
		keys = append(keys, "deadline."+rule)
	}
	for rule := range engine.CompensationRules {
		keys = append(keys, "compensation."+rule, "compensation."+rule+".condition")
	}
	keys = append(keys, "outcome.compensation_if", "compensation.condition_met", "compensation.condition_needed", "outcome.first_step", "outcome.disclaimer_short")
	for _, part := range Sections {
		keys = append(keys, "outcome.more."+part)
	}
	keys = append(keys, summaryKeys()...)
	return append(keys, engine.MessageKeys...)
}

// Render turns one reply into a message in lang.
func (r *Renderer) Render(lang string, rep engine.Reply, f Format) (Message, error) {
	w := &writer{f: f}
	var m Message
	var err error
	switch rep.Kind {
	case engine.NoticeReply, engine.InfoReply:
		err = r.notice(w, lang, rep)
	case engine.KnownReply:
		err = r.known(w, lang, rep)
	case engine.QuestionReply:
		m.Buttons, err = r.question(w, lang, rep)
	case engine.ConfirmReply:
		m.Buttons, err = r.confirm(w, lang, rep)
	case engine.OutcomeReply, engine.ChecklistReply:
		err = r.outcome(w, lang, rep.Advice)
	case engine.DraftReply:
		// Drafts need the answered questions, which live in the session:
		// front ends build a summary and call Draft.
		err = fmt.Errorf("a draft reply is rendered with Renderer.Draft")
	default:
		err = fmt.Errorf("unknown reply kind %q", rep.Kind)
	}
	if err != nil {
		return Message{}, err
	}
	m.Text = w.String()
	return m, nil
}

// RenderAll renders replies in order, stopping at the first error.
func (r *Renderer) RenderAll(lang string, reps []engine.Reply, f Format) ([]Message, error) {
	out := make([]Message, 0, len(reps))
	for _, rep := range reps {
		m, err := r.Render(lang, rep, f)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// data turns string data (facts, limits) into template data, formatting
// money and dates for display so templates can print them as they are.
func data(lang string, in map[string]string) map[string]any {
	out := make(map[string]any, len(in))
	for k, v := range in {
		out[k] = display(lang, k, v)
	}
	return out
}

// display formats a fact value by the shape of its value.
func display(lang, key, v string) string {
	if _, err := engine.ParseDate(v); err == nil && len(v) == 10 {
		return Date(lang, v)
	}
	if key == "amount" || key == "price" || key == "loss" || key == "prepaid" || key == "consumed" || key == "Amount" {
		return Money(v)
	}
	return v
}

func (r *Renderer) notice(w *writer, lang string, rep engine.Reply) error {
	s, err := r.T(lang, rep.Key, data(lang, rep.Data))
	if err != nil {
		return err
	}
	w.text(s)
	return nil
}

func (r *Renderer) known(w *writer, lang string, rep engine.Reply) error {
	q, err := r.T(lang, rep.Key, data(lang, rep.Data))
	if err != nil {
		return err
	}
	v := rep.Data["Value"]
	if rep.Data["Option"] == "1" {
		if v, err = r.T(lang, v, nil); err != nil {
			return err
		}
	} else {
		v = r.answer(lang, rep.Data["Fact"], v)
	}
	s, err := r.T(lang, "known.answer", map[string]any{"Question": q, "Answer": v})
	if err != nil {
		return err
	}
	w.text(s)
	return nil
}

// answer shows a typed answer the way the user would say it.
func (r *Renderer) answer(lang, fact, v string) string {
	if v == "yes" || v == "no" {
		if s, err := r.T(lang, "yesno."+v, nil); err == nil {
			return s
		}
	}
	return display(lang, fact, v)
}

func (r *Renderer) question(w *writer, lang string, rep engine.Reply) ([][]Button, error) {
	q := rep.Question
	s, err := r.T(lang, q.Key, data(lang, q.Facts))
	if err != nil {
		return nil, err
	}
	w.text(s)
	var rows [][]Button
	for _, o := range q.Options {
		label, err := r.T(lang, o.Key, data(lang, q.Facts))
		if err != nil {
			return nil, err
		}
		rows = append(rows, []Button{{Text: label, Event: engine.Event{Kind: engine.Choose, Token: rep.Token, Option: o.ID}}})
	}
	if q.Input != nil {
		hint, err := r.T(lang, "input.hint."+string(q.Input.Kind), nil)
		if err != nil {
			return nil, err
		}
		w.nl()
		w.italic(hint)
	}
	if q.CanGoBack {
		label, err := r.T(lang, "button.back", nil)
		if err != nil {
			return nil, err
		}
		rows = append(rows, []Button{{Text: label, Event: engine.Event{Kind: engine.Back, Token: rep.Token}}})
	}
	return rows, nil
}

func (r *Renderer) confirm(w *writer, lang string, rep engine.Reply) ([][]Button, error) {
	if p := rep.Proposal; len(p.Alternatives) > 0 {
		return r.unsure(w, lang, rep)
	}
	name, err := r.T(lang, "category."+rep.Proposal.Category, nil)
	if err != nil {
		return nil, err
	}
	s, err := r.T(lang, "confirm.category", map[string]any{"Category": name})
	if err != nil {
		return nil, err
	}
	w.text(s)
	yes, err := r.T(lang, "button.yes", nil)
	if err != nil {
		return nil, err
	}
	other, err := r.T(lang, "button.other", nil)
	if err != nil {
		return nil, err
	}
	return [][]Button{{
		{Text: yes, Event: engine.Event{Kind: engine.Accept, Token: rep.Token, Option: "yes"}},
		{Text: other, Event: engine.Event{Kind: engine.Accept, Token: rep.Token, Option: "no"}},
	}}, nil
}

// unsure asks which of several categories fits, one button each (best
// first), then "something else" for the menu. The order is the one the
// advisor reads typed numbers in.
func (r *Renderer) unsure(w *writer, lang string, rep engine.Reply) ([][]Button, error) {
	s, err := r.T(lang, "confirm.unsure", nil)
	if err != nil {
		return nil, err
	}
	w.text(s)
	var rows [][]Button
	for _, c := range rep.Proposal.Offers() {
		name, err := r.T(lang, "category."+c, nil)
		if err != nil {
			return nil, err
		}
		rows = append(rows, []Button{{Text: name, Event: engine.Event{Kind: engine.Accept, Token: rep.Token, Option: c}}})
	}
	other, err := r.T(lang, "button.something_else", nil)
	if err != nil {
		return nil, err
	}
	return append(rows, []Button{{Text: other, Event: engine.Event{Kind: engine.Accept, Token: rep.Token, Option: "no"}}}), nil
}

// outcome writes the advice: the important thing first (what the law gives
// and any money figure), then deadlines, steps, evidence, refusals. It is
// the full text the summary, page and terminal show; a phone gets Brief
// first, with each part one tap away (Section).
func (r *Renderer) outcome(w *writer, lang string, a *engine.Advice) error {
	if err := r.head(w, lang, a); err != nil {
		return err
	}
	for _, part := range []string{SectionCompensation, SectionDeadlines, SectionLaw, SectionSteps, SectionEvidence, SectionRefusals} {
		if err := r.part(w, lang, a, part); err != nil {
			return err
		}
	}
	return r.disclaimer(w, lang)
}

// The parts of an outcome, as Section names them.
const (
	SectionCompensation = "compensation"
	SectionDeadlines    = "deadlines"
	SectionLaw          = "law"
	SectionSteps        = "steps"
	SectionEvidence     = "evidence"
	SectionRefusals     = "refusals"
)

// Sections lists the parts a front end may offer as "show more" buttons, in
// reading order; Has says which an outcome has.
var Sections = []string{SectionLaw, SectionSteps, SectionDeadlines, SectionRefusals}

// Has reports whether a has anything to show under part.
func Has(a *engine.Advice, part string) bool {
	switch part {
	case SectionCompensation:
		return len(a.Compensation) > 0
	case SectionDeadlines:
		return len(a.Deadlines) > 0
	case SectionLaw:
		return len(a.Law) > 0
	case SectionSteps:
		return len(a.Steps) > 0
	case SectionEvidence:
		return len(a.Evidence) > 0
	case SectionRefusals:
		return len(a.Refusals) > 0
	}
	return false
}

// Section renders one part of an outcome on its own, with its heading:
// what a "show more" button sends.
func (r *Renderer) Section(lang string, a *engine.Advice, part string, f Format) (string, error) {
	if !Has(a, part) {
		return "", fmt.Errorf("outcome %s/%s has no %s", a.Tree, a.Node, part)
	}
	w := &writer{f: f}
	if err := r.part(w, lang, a, part); err != nil {
		return "", err
	}
	return strings.TrimLeft(w.String(), "\n"), nil
}

// head writes the title and the one-paragraph summary.
func (r *Renderer) head(w *writer, lang string, a *engine.Advice) error {
	facts := data(lang, a.Facts)
	title, err := r.T(lang, a.Title, facts)
	if err != nil {
		return err
	}
	w.bold("⚖️ " + title)
	w.nl()
	if a.Summary != "" {
		s, err := r.T(lang, a.Summary, facts)
		if err != nil {
			return err
		}
		w.text(s)
		w.nl()
	}
	return nil
}

func (r *Renderer) disclaimer(w *writer, lang string) error {
	disc, err := r.T(lang, "outcome.disclaimer", nil)
	if err != nil {
		return err
	}
	w.nl()
	w.italic("ℹ️ " + disc)
	return nil
}

// part writes one titled part of the outcome; nothing when it is empty.
func (r *Renderer) part(w *writer, lang string, a *engine.Advice, part string) error {
	if !Has(a, part) {
		return nil
	}
	switch part {
	case SectionCompensation:
		heading := "outcome.compensation"
		for _, c := range a.Compensation {
			if !c.Established {
				// One figure still depends on a condition the answers do
				// not establish: the heading must not promise it.
				heading = "outcome.compensation_if"
			}
		}
		if err := r.section(w, lang, heading); err != nil {
			return err
		}
		for _, c := range a.Compensation {
			if err := r.compensationLine(w, lang, c); err != nil {
				return err
			}
		}
	case SectionDeadlines:
		if err := r.section(w, lang, "outcome.deadlines"); err != nil {
			return err
		}
		for _, d := range a.Deadlines {
			if err := r.deadline(w, lang, d); err != nil {
				return err
			}
		}
	case SectionLaw:
		if err := r.section(w, lang, "outcome.law"); err != nil {
			return err
		}
		for _, id := range a.Law {
			if err := r.lawLine(w, lang, id); err != nil {
				return err
			}
		}
	case SectionSteps:
		if err := r.section(w, lang, "outcome.steps"); err != nil {
			return err
		}
		for i, st := range a.Steps {
			if err := r.stepLine(w, lang, a, strconv.Itoa(i+1)+". ", st); err != nil {
				return err
			}
		}
	case SectionEvidence:
		if err := r.section(w, lang, "outcome.evidence"); err != nil {
			return err
		}
		for _, id := range a.Evidence {
			name, err := r.T(lang, "evidence."+id, nil)
			if err != nil {
				return err
			}
			why, err := r.T(lang, "evidence."+id+".why", nil)
			if err != nil {
				return err
			}
			box := "⬜ "
			if a.Have[id] {
				box = "✅ "
			}
			w.text(box)
			w.bold(name)
			w.text(" — " + why)
			if err := r.cites(w, lang, a.EvidenceLaw[id]); err != nil {
				return err
			}
			w.nl()
		}
	case SectionRefusals:
		if err := r.section(w, lang, "outcome.refusals"); err != nil {
			return err
		}
		for _, id := range a.Refusals {
			says, err := r.T(lang, "refusal."+id+".says", nil)
			if err != nil {
				return err
			}
			ans, err := r.T(lang, "refusal."+id+".answer", nil)
			if err != nil {
				return err
			}
			w.text("🗣 ")
			w.italic(says)
			w.text(" → " + ans)
			if err := r.cites(w, lang, a.RefusalLaw[id]); err != nil {
				return err
			}
			w.nl()
		}
	default:
		return fmt.Errorf("unknown outcome part %q", part)
	}
	return nil
}

// stepLine writes "<prefix>step text (citations)".
func (r *Renderer) stepLine(w *writer, lang string, a *engine.Advice, prefix string, st engine.Cited) error {
	s, err := r.T(lang, st.Key, data(lang, a.Facts))
	if err != nil {
		return err
	}
	w.text(prefix + s)
	if err := r.cites(w, lang, st.Law); err != nil {
		return err
	}
	w.nl()
	return nil
}

// Brief is the first outcome message on a phone: it fits one screen. The
// title and what the law gives (with its key article), the money figure
// with its conditions, the nearest open deadline, the first step, and the
// disclaimer; every part is a tap away (Section) and the summary, page and
// drafts keep it all.
func (r *Renderer) Brief(lang string, a *engine.Advice, f Format) (Message, error) {
	w := &writer{f: f}
	if err := r.head(w, lang, a); err != nil {
		return Message{}, err
	}
	if key := keyLaw(a); key != "" {
		cite, ok := r.laws.Cite(key, lang)
		if !ok {
			return Message{}, fmt.Errorf("law %q not in the registry", key)
		}
		w.text("📜 ")
		w.bold(cite)
		w.nl()
	}
	if len(a.Compensation) > 0 {
		w.nl()
		for _, c := range a.Compensation {
			if err := r.compensationLine(w, lang, c); err != nil {
				return Message{}, err
			}
		}
	}
	if d, ok := nearestOpen(a.Deadlines); ok {
		// An open period that may run on past a rest day only gets longer:
		// the hedge waits in the full list; a known extension is kept.
		d.MayRunOn = false
		w.nl()
		if err := r.deadline(w, lang, d); err != nil {
			return Message{}, err
		}
	}
	if len(a.Steps) > 0 {
		first, err := r.T(lang, "outcome.first_step", nil)
		if err != nil {
			return Message{}, err
		}
		w.nl()
		if err := r.stepLine(w, lang, a, "👉 "+first+colon(lang), a.Steps[0]); err != nil {
			return Message{}, err
		}
	}
	disc, err := r.T(lang, "outcome.disclaimer_short", nil)
	if err != nil {
		return Message{}, err
	}
	w.nl()
	w.italic("ℹ️ " + disc)
	return Message{Text: w.String()}, nil
}

// MoreButton offers one part of an outcome (Section) under the brief.
type MoreButton struct {
	Part, Text string
}

// More lists the "show more" buttons for the parts a has, in reading order.
func (r *Renderer) More(lang string, a *engine.Advice) ([]MoreButton, error) {
	var out []MoreButton
	for _, part := range Sections {
		if !Has(a, part) {
			continue
		}
		label, err := r.T(lang, "outcome.more."+part, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, MoreButton{Part: part, Text: label})
	}
	return out, nil
}

// keyLaw is the article the brief names: the one behind the money figure
// when there is one (it is what the user will quote), else the outcome's
// first law.
func keyLaw(a *engine.Advice) string {
	if len(a.Compensation) > 0 && len(a.Compensation[0].Law) > 0 {
		return a.Compensation[0].Law[0]
	}
	if len(a.Law) > 0 {
		return a.Law[0]
	}
	return ""
}

// nearestOpen is the open deadline that ends first.
func nearestOpen(ds []engine.Deadline) (engine.Deadline, bool) {
	best, found := engine.Deadline{}, false
	for _, d := range ds {
		if d.Open() && (!found || d.DaysLeft < best.DaysLeft) {
			best, found = d, true
		}
	}
	return best, found
}

// section starts a titled part of a message.
func (r *Renderer) section(w *writer, lang, key string) error {
	h, err := r.T(lang, key, nil)
	if err != nil {
		return err
	}
	w.nl()
	w.bold(h)
	w.nl()
	return nil
}

// compensationText states a computed figure with its formula.
func (r *Renderer) compensationText(lang string, c engine.Compensation) (string, error) {
	d := map[string]any{"Amount": Money(c.Amount)}
	for k, v := range c.Inputs {
		d[k] = display(lang, k, v)
	}
	return r.T(lang, "compensation."+c.Rule, d)
}

// compensationLine writes "💰 figure (minimum note) (citation)".
func (r *Renderer) compensationLine(w *writer, lang string, c engine.Compensation) error {
	s, err := r.compensationText(lang, c)
	if err != nil {
		return err
	}
	w.text("💰 " + s)
	if c.MinApplied {
		m, err := r.T(lang, "compensation.min_applied", nil)
		if err != nil {
			return err
		}
		w.text(gap(lang) + m)
	}
	if err := r.cites(w, lang, c.Law); err != nil {
		return err
	}
	w.nl()
	cond, err := r.conditionText(lang, c)
	if err != nil {
		return err
	}
	w.text("   " + cond)
	w.nl()
	return nil
}

// conditionText states what the law requires for figure c, and whether
// the user's answers establish it: a figure is never shown without it.
func (r *Renderer) conditionText(lang string, c engine.Compensation) (string, error) {
	cond, err := r.T(lang, "compensation."+c.Rule+".condition", nil)
	if err != nil {
		return "", err
	}
	key := "compensation.condition_needed"
	if c.Established {
		key = "compensation.condition_met"
	}
	return r.T(lang, key, map[string]any{"Condition": cond})
}

// lawLine writes "• Statute, Art. N: what it says".
func (r *Renderer) lawLine(w *writer, lang, id string) error {
	cite, ok := r.laws.Cite(id, lang)
	if !ok {
		return fmt.Errorf("law %q not in the registry", id)
	}
	w.text("• ")
	w.bold(cite)
	w.text(colon(lang) + r.laws.Entries[id].Says.In(Lang(lang)))
	w.nl()
	return nil
}

// cites appends " (CPL Arts. 24, 25; IR Art. 19)" for law ids.
func (r *Renderer) cites(w *writer, lang string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	s, ok := r.laws.ShortCites(ids, Lang(lang))
	if !ok {
		return fmt.Errorf("a law of %v is not in the registry", ids)
	}
	w.text(paren(lang, s))
	return nil
}

func (r *Renderer) deadline(w *writer, lang string, d engine.Deadline) error {
	name, err := r.T(lang, "deadline."+d.Rule, map[string]any{"From": Date(lang, d.From)})
	if err != nil {
		return err
	}
	dd := map[string]any{"Due": Date(lang, d.End()), "Days": d.DaysLeft, "Ago": -d.DaysLeft}
	var when string
	switch {
	case d.DaysLeft > 0:
		when, err = r.t(lang, "deadline.left", dd, d.DaysLeft)
	case d.DaysLeft == 0:
		when, err = r.T(lang, "deadline.today", dd)
	default:
		when, err = r.t(lang, "deadline.closed", dd, -d.DaysLeft)
	}
	if err != nil {
		return err
	}
	w.text("⏰ " + name + colon(lang))
	w.bold(when)
	if err := r.cites(w, lang, d.Law); err != nil {
		return err
	}
	if note, err := r.restDayNote(lang, d); err != nil {
		return err
	} else if note != "" {
		w.text(gap(lang) + note)
		if err := r.cites(w, lang, []string{engine.CountingLaw}); err != nil {
			return err
		}
	}
	w.nl()
	return nil
}

// mayRunOnWindow is how long after a hedged last day the bot still says it
// may have run on: the longest run of rest days in any notice is nine.
const mayRunOnWindow = 10

// restDayNote explains a period whose last day is a rest day, open or
// ended: the calendar's next working day when known, a hedge otherwise.
func (r *Renderer) restDayNote(lang string, d engine.Deadline) (string, error) {
	switch {
	case d.RunsTo != "":
		return r.T(lang, "deadline.runs_to", map[string]any{"Due": Date(lang, d.Due), "RunsTo": Date(lang, d.RunsTo)})
	case d.MayRunOn && d.DaysLeft >= -mayRunOnWindow:
		return r.T(lang, "deadline.non_working_day", nil)
	}
	return "", nil
}
