package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"gopkg.in/yaml.v3"

	"github.com/disputebot/disputebot/bot"
	"github.com/disputebot/disputebot/dialogs"
	classifydata "github.com/disputebot/disputebot/dialogs/classify"
	"github.com/disputebot/disputebot/internal/advisor"
	"github.com/disputebot/disputebot/internal/dialog"
	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/intake"
	"github.com/disputebot/disputebot/internal/render"
	"github.com/disputebot/disputebot/internal/store/memstore"
	"github.com/disputebot/disputebot/locales"
)

// A consultation is driven from a dialog test case (dialogs/*.test.yaml):
// its steps are a path known to reach an outcome. Before the run, each
// case is replayed here through the same advisor, engine, classifier and
// renderer the bot uses (in memory, today's date), which says what the
// bot must answer: the evidence buttons on the outcome's checklist. Cases
// that do not reach an outcome that way (a date that has moved out of a
// window) are left out, and said so.

// action is one thing a simulated user does.
type action struct {
	kind   byte   // 't' text (message or command), 'c' tap the option, 'a' accept the proposal
	text   string // for 't'
	option string // for 'c'
}

// plan is one consultation: its actions and what the outcome must show.
type plan struct {
	name    string
	tree    string
	lang    string
	actions []action
	// backAfter are the indexes of actions after which "/back" and the
	// same action again lead to the same outcome.
	backAfter []int
	// evidence are the evidence ids of the outcome's checklist buttons
	// (t:<token>:<id>), sorted.
	evidence []string
}

// world is what the plans are made from.
type world struct {
	cat   *engine.Catalog
	r     *render.Renderer
	desc  *intake.Describer
	plans []plan
	// left says which cases were left out, and why.
	left []string
}

func loadWorld(now time.Time) (*world, error) {
	b, probs := dialog.Load(dialogs.FS, locales.FS, append(render.Keys(), bot.Keys()...))
	if len(probs) > 0 {
		return nil, fmt.Errorf("dialogs have %d problem(s); run disputebot lint", len(probs))
	}
	r, err := render.New(locales.FS, b.Laws)
	if err != nil {
		return nil, err
	}
	d, err := intake.New(func() time.Time { return now })
	if err != nil {
		return nil, err
	}
	w := &world{cat: b.Catalog, r: r, desc: d}
	texts, err := w.freeTexts()
	if err != nil {
		return nil, err
	}
	names, _ := fs.Glob(dialogs.FS, "*.test.yaml")
	for _, name := range names {
		data, err := fs.ReadFile(dialogs.FS, name)
		if err != nil {
			return nil, err
		}
		var cf dialog.CaseFile
		if err := yaml.Unmarshal(data, &cf); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		shift := 0
		if cf.Now != "" {
			if d, err := engine.ParseDate(cf.Now); err == nil {
				shift = int(now.In(engine.China).Sub(d).Hours() / 24)
			}
		}
		for _, c := range cf.Cases {
			if c.Facts != nil {
				// Its facts come from a description no free text here
				// would give exactly.
				w.left = append(w.left, fmt.Sprintf("%s %q: enters with facts", cf.Tree, c.Name))
				continue
			}
			for _, lang := range []string{render.ZH, render.EN} {
				p, err := w.makePlan(cf.Tree, c, lang, texts[cf.Tree+"/"+lang], shift, now)
				if err != nil {
					w.left = append(w.left, fmt.Sprintf("%s %q (%s): %v", cf.Tree, c.Name, lang, err))
					continue
				}
				w.plans = append(w.plans, p)
			}
		}
	}
	if len(w.plans) == 0 {
		return nil, errors.New("no dialog test case can be played")
	}
	return w, nil
}

// freeTexts finds, per category and language, descriptions from the
// classifier's data that the bot reads as that category with no facts
// (facts would answer questions and change the path).
func (w *world) freeTexts() (map[string][]string, error) {
	out := map[string][]string{}
	for _, f := range []string{"eval.yaml", "train.yaml"} {
		data, err := fs.ReadFile(classifydata.FS, f)
		if err != nil {
			continue
		}
		var m map[string][]string
		if err := yaml.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("classify %s: %w", f, err)
		}
		for cat, msgs := range m {
			for _, msg := range msgs {
				p, ok := w.desc.Describe(msg)
				if !ok || p.Category != cat || len(p.Facts) > 0 || p.Confidence < advisor.SwitchConfidence {
					continue
				}
				lang := render.EN
				if strings.IndexFunc(msg, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0 {
					lang = render.ZH
				}
				if k := cat + "/" + lang; len(out[k]) < 8 {
					out[k] = append(out[k], msg)
				}
			}
		}
	}
	return out, nil
}

var isoDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

func (w *world) makePlan(tree string, c dialog.Case, lang string, texts []string, shift int, now time.Time) (plan, error) {
	p := plan{name: c.Name, tree: tree, lang: lang}
	if len(texts) > 0 {
		p.actions = append(p.actions, action{kind: 't', text: texts[rand.IntN(len(texts))]}, action{kind: 'a'})
	} else if slices.Contains(engine.Categories, tree) {
		// No description reads as this category: the deep link opens it.
		p.actions = append(p.actions, action{kind: 't', text: "/start " + tree})
	}
	if len(p.actions) == 0 {
		return p, errors.New("no description reads as it, and no link opens it")
	}
	for _, st := range c.Steps {
		switch {
		case st.Choose != "":
			p.actions = append(p.actions, action{kind: 'c', option: st.Choose})
		case st.Text != "":
			text := st.Text
			if isoDate.MatchString(text) && shift != 0 {
				// Dates move with today, so windows hold as the case meant.
				if d, err := engine.ParseDate(text); err == nil {
					text = d.AddDate(0, 0, shift).Format("2006-01-02")
				}
			}
			p.actions = append(p.actions, action{kind: 't', text: text})
		case st.Back:
			p.actions = append(p.actions, action{kind: 't', text: "/back"})
		}
	}
	ev, err := w.replay(p.actions, lang, now)
	if err != nil {
		return p, err
	}
	p.evidence = ev
	first := 1
	if p.actions[0].kind == 't' && !strings.HasPrefix(p.actions[0].text, "/") {
		first = 2
	}
	for i := first; i < len(p.actions)-1; i++ {
		a := p.actions[i]
		if a.kind == 't' && strings.HasPrefix(a.text, "/") {
			continue
		}
		alt := slices.Concat(p.actions[:i+1], []action{{kind: 't', text: "/back"}}, p.actions[i:])
		if ev2, err := w.replay(alt, lang, now); err == nil && slices.Equal(ev2, ev) {
			p.backAfter = append(p.backAfter, i)
		}
	}
	return p, nil
}

// replay plays actions as the bot would (advisor over a memory store) and
// returns the outcome's checklist evidence ids.
func (w *world) replay(actions []action, lang string, now time.Time) ([]string, error) {
	s, err := w.play(actions, lang, now)
	if err != nil {
		return nil, err
	}
	for _, rep := range engine.Current(w.cat, s, now) {
		if rep.Advice == nil {
			continue
		}
		rows, err := w.r.ChecklistButtons(lang, rep.Advice)
		if err != nil {
			return nil, err
		}
		var ids []string
		for _, row := range rows {
			for _, b := range row {
				if b.Event.Kind == engine.Tick {
					ids = append(ids, b.Event.Option)
				}
			}
		}
		slices.Sort(ids)
		return ids, nil
	}
	return nil, errors.New("no advice at the outcome")
}

// play plays actions as the bot would and returns the session at the
// outcome they reach.
func (w *world) play(actions []action, lang string, now time.Time) (engine.Session, error) {
	adv := &advisor.Advisor{Catalog: w.cat, Store: memstore.New(0, nil), Now: func() time.Time { return now }, Describer: w.desc}
	ctx := context.Background()
	var s engine.Session
	for i, a := range actions {
		var res engine.Result
		var err error
		switch a.kind {
		case 'a':
			res, err = adv.Handle(ctx, "k", engine.Event{Kind: engine.Accept, Token: engine.Token(s.Seq), Option: "yes", Lang: lang})
		case 'c':
			res, err = adv.Handle(ctx, "k", engine.Event{Kind: engine.Choose, Token: engine.Token(s.Seq), Option: a.option, Lang: lang})
		case 't':
			switch {
			case a.text == "/back":
				res, err = adv.Handle(ctx, "k", engine.Event{Kind: engine.Back, Lang: lang})
			case strings.HasPrefix(a.text, "/start "):
				res, err = adv.Handle(ctx, "k", engine.Event{Kind: engine.Start, Tree: strings.TrimPrefix(a.text, "/start "), Lang: lang})
			default:
				res, _, err = adv.HandleFunc(ctx, "k", func(s engine.Session) engine.Event {
					ev := adv.TextEvent(s, a.text)
					ev.Lang = lang
					return ev
				})
			}
		}
		if err != nil {
			return engine.Session{}, err
		}
		s = res.Session
		if i == 0 && a.kind == 't' && !strings.HasPrefix(a.text, "/") && s.Pending == nil {
			return engine.Session{}, errors.New("the description is not proposed")
		}
	}
	t := w.cat.Trees[s.Tree]
	if t == nil || t.Nodes[s.Node] == nil || t.Nodes[s.Node].Kind != engine.Outcome {
		return engine.Session{}, fmt.Errorf("ends at %s/%s, not an outcome", s.Tree, s.Node)
	}
	return s, nil
}
