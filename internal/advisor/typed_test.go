package advisor_test

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/disputebot/disputebot/bot"
	"github.com/disputebot/disputebot/dialogs"
	"github.com/disputebot/disputebot/internal/advisor"
	"github.com/disputebot/disputebot/internal/dialog"
	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/intake"
	"github.com/disputebot/disputebot/internal/render"
	"github.com/disputebot/disputebot/internal/store/memstore"
	"github.com/disputebot/disputebot/locales"
)

// shipped loads the dialogs and messages the bot ships with, so every tree
// added later is covered by these tests without touching them.
func shipped(t *testing.T) (*engine.Catalog, *render.Renderer) {
	t.Helper()
	b, probs := dialog.Load(dialogs.FS, locales.FS, append(render.Keys(), bot.Keys()...))
	if b == nil {
		t.Fatalf("the shipped dialogs do not load: %v", probs)
	}
	r, err := render.New(locales.FS, b.Laws)
	if err != nil {
		t.Fatal(err)
	}
	return b.Catalog, r
}

// realAdvisor reads text with the real classifier, as the bot does.
func realAdvisor(t *testing.T, cat *engine.Catalog, r *render.Renderer) *advisor.Advisor {
	t.Helper()
	d, err := intake.New(time.Now)
	if err != nil {
		t.Fatal(err)
	}
	return &advisor.Advisor{Catalog: cat, Store: memstore.New(0, nil), Now: time.Now, Lang: "zh", Describer: d, Labels: r.T}
}

// question is one choice node of a shipped tree.
type question struct {
	tree string
	node *engine.Node
}

func choiceQuestions(cat *engine.Catalog) []question {
	var ids []string
	for id := range cat.Trees {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var qs []question
	for _, id := range ids {
		t := cat.Trees[id]
		for _, nid := range t.Order {
			if n := t.Nodes[nid]; n.Kind == engine.Choice {
				qs = append(qs, question{id, n})
			}
		}
	}
	return qs
}

var (
	yesTyped = []string{"是", "是的", "对", "对的", "嗯", "好", "好的", "可以", "没错", "yes", "Yes", "y", "yeah", "yep", "ok", "OK", "okay", "sure", "right", "ｙｅｓ", "是的！"}
	noTyped  = []string{"不", "不是", "没有", "否", "不对", "no", "No", "n", "nope", "not really", "No."}
)

// For every choice question in every shipped tree, in both languages: its
// number, its label (in either language), and yes/no words where the
// option means yes or no, select that option.
func TestTypedAnswersSelectTheOption(t *testing.T) {
	cat, r := shipped(t)
	a := realAdvisor(t, cat, r)
	for _, q := range choiceQuestions(cat) {
		for _, lang := range []string{"zh", "en"} {
			s := engine.Session{Lang: lang, Tree: q.tree, Node: q.node.ID, Seq: 41}
			want := func(t *testing.T, text, option string) {
				t.Helper()
				ev := a.TextEvent(s, text)
				if ev.Kind != engine.Choose || ev.Option != option || ev.Token != engine.Token(41) {
					t.Errorf("%q: got %s %q (notice %q), want choose %q", text, ev.Kind, ev.Option, ev.Notice, option)
				}
			}
			t.Run(q.tree+"/"+q.node.ID+"/"+lang, func(t *testing.T) {
				for i, o := range q.node.Options {
					n := strconv.Itoa(i + 1)
					want(t, n, o.ID)
					want(t, string(rune('０'+i+1)), o.ID) // full-width, from Chinese input methods
					want(t, n+".", o.ID)
					want(t, "选"+n, o.ID)
					for _, l := range []string{lang, other(lang)} {
						label, err := r.T(l, o.Text, nil)
						if err != nil {
							t.Fatal(err)
						}
						want(t, label, o.ID)
					}
					switch o.Means {
					case "yes":
						for _, w := range yesTyped {
							want(t, w, o.ID)
						}
					case "no":
						for _, w := range noTyped {
							want(t, w, o.ID)
						}
					}
				}
			})
		}
	}
}

func other(lang string) string {
	if lang == "zh" {
		return "en"
	}
	return "zh"
}

// Short answers typed at a question mid-case — a yes, an ok, a number out
// of range, an emoji — are never read as a new dispute, whatever the
// classifier would make of them ("是" once opened a false advertising case).
func TestShortTextAtAQuestionNeverOpensACase(t *testing.T) {
	cat, r := shipped(t)
	a := realAdvisor(t, cat, r)
	texts := []string{"是", "对", "好的", "yes", "ok", "1000", "0", "😀", "👍", "🙂🙂", "？", "hi", "你好", "help", "嗯嗯"}
	for _, q := range choiceQuestions(cat) {
		if q.tree == cat.Menu {
			continue
		}
		for _, lang := range []string{"zh", "en"} {
			s := engine.Session{Lang: lang, Tree: q.tree, Node: q.node.ID, Seq: 7}
			for _, text := range texts {
				ev := a.TextEvent(s, text)
				if ev.Kind != engine.Choose && ev.Kind != engine.Text {
					t.Errorf("%s/%s (%s): %q gave %s; want it selects an option or re-asks", q.tree, q.node.ID, lang, text, ev.Kind)
				}
				if ev.Kind == engine.Choose && !slices.Contains([]string{"是", "对", "好的", "yes", "ok", "嗯嗯"}, text) {
					t.Errorf("%s/%s: %q selected %q", q.tree, q.node.ID, text, ev.Option)
				}
			}
		}
	}
	// The same at the proposal confirm: a yes accepts, the rest re-asks.
	s := engine.Session{Lang: "zh", Pending: &engine.Proposal{Category: "food_safety"}, Seq: 3}
	for _, text := range texts {
		ev := a.TextEvent(s, text)
		if ev.Kind != engine.Accept && ev.Kind != engine.Text {
			t.Errorf("confirm: %q gave %s", text, ev.Kind)
		}
	}
}

// How typed text is read, on the shipped questions.
func TestTypedText(t *testing.T) {
	cat, r := shipped(t)
	a := realAdvisor(t, cat, r)
	tests := []struct {
		name       string
		s          engine.Session
		text       string
		kind       engine.EventKind
		option     string
		notice     string
		proposeCat string
	}{
		{"a word of a label", engine.Session{Lang: "en", Tree: "quality_defect", Node: "channel"}, "online", engine.Choose, "online", "", ""},
		{"a word of a label, Chinese", engine.Session{Lang: "zh", Tree: "quality_defect", Node: "item"}, "手机", engine.Choose, "phone", "", ""},
		{"a label's word in a short answer", engine.Session{Lang: "zh", Tree: "quality_defect", Node: "channel"}, "在网上买的", engine.Choose, "online", "", ""},
		{"an English answer in a Chinese chat", engine.Session{Lang: "zh", Tree: "quality_defect", Node: "item"}, "a car", engine.Choose, "car", "", ""},
		{"a label without its punctuation", engine.Session{Lang: "en", Tree: "return_refused", Node: "what"}, "the seller wont take my return", engine.Choose, "refused", "", ""},
		{"第二个", engine.Session{Lang: "zh", Tree: "quality_defect", Node: "item"}, "第二个", engine.Choose, "appliance", "", ""},
		{"circled number", engine.Session{Lang: "zh", Tree: "quality_defect", Node: "item"}, "③", engine.Choose, "car", "", ""},
		{"option 1)", engine.Session{Lang: "en", Tree: "quality_defect", Node: "item"}, "1)", engine.Choose, "phone", "", ""},
		{"a word in two options is not guessed", engine.Session{Lang: "en", Tree: "false_advertising", Node: "where_bought"}, "shop", engine.Text, "", "notice.ambiguous_answer", ""},
		{"a negated answer is not the option", engine.Session{Lang: "zh", Tree: "quality_defect", Node: "channel"}, "不是网上", engine.Text, "", "", ""},
		{"a yes where no option means yes", engine.Session{Lang: "en", Tree: "quality_defect", Node: "item"}, "yes", engine.Text, "", "", ""},
		{"a number out of range", engine.Session{Lang: "en", Tree: "quality_defect", Node: "item"}, "9", engine.Text, "", "", ""},
		{"a no where the option means no", engine.Session{Lang: "en", Tree: "quality_defect", Node: "repairs"}, "nope", engine.Choose, "none", "", ""},
		{"yes at the confirm", engine.Session{Lang: "en", Pending: &engine.Proposal{Category: "food_safety"}}, "yes", engine.Accept, "yes", "", ""},
		{"是的 at the confirm", engine.Session{Lang: "zh", Pending: &engine.Proposal{Category: "food_safety"}}, "是的", engine.Accept, "yes", "", ""},
		{"不是 at the confirm", engine.Session{Lang: "zh", Pending: &engine.Proposal{Category: "food_safety"}}, "不是", engine.Accept, "no", "", ""},
		{"2 at the confirm", engine.Session{Lang: "en", Pending: &engine.Proposal{Category: "food_safety"}}, "2", engine.Accept, "no", "", ""},
		{"a category named when unsure", engine.Session{Lang: "en", Pending: &engine.Proposal{Category: "quality_defect", Alternatives: []string{"return_refused"}}}, "refused returns", engine.Accept, "return_refused", "", ""},
		{"a number when unsure", engine.Session{Lang: "en", Pending: &engine.Proposal{Category: "quality_defect", Alternatives: []string{"return_refused"}}}, "2", engine.Accept, "return_refused", "", ""},
		{"the last number when unsure is something else", engine.Session{Lang: "en", Pending: &engine.Proposal{Category: "quality_defect", Alternatives: []string{"return_refused"}}}, "3", engine.Accept, "no", "", ""},
		{"a yes is no answer when unsure", engine.Session{Lang: "en", Pending: &engine.Proposal{Category: "quality_defect", Alternatives: []string{"return_refused"}}}, "yes", engine.Text, "", "", ""},
		{"a greeting at the start asks for a sentence", engine.Session{}, "你好", engine.Text, "", "notice.describe_more", ""},
		{"help at the menu asks for a sentence", engine.Session{Lang: "en", Tree: "menu", Node: "pick"}, "help", engine.Text, "", "notice.describe_more", ""},
		{"an emoji at the start", engine.Session{}, "👍", engine.Text, "", "notice.describe_more", ""},
		{"a topic named at the menu", engine.Session{Lang: "zh", Tree: "menu", Node: "pick"}, "食品安全", engine.Choose, "food_safety", "", ""},
		{"a description at the menu", engine.Session{Lang: "zh", Tree: "menu", Node: "pick"}, "昨天在超市买的牛奶过期了", engine.Propose, "", "", "food_safety"},
		{"not a consumer dispute", engine.Session{}, "我老板拖欠工资三个月", engine.Start, "", "notice.not_understood", ""},
		{"a clear new dispute mid-case asks to switch", engine.Session{Lang: "zh", Tree: "quality_defect", Node: "item"}, "昨天在超市买的牛奶过期了，肚子疼", engine.Propose, "", "", "food_safety"},
		{"more about this case mid-case is re-asked", engine.Session{Lang: "zh", Tree: "quality_defect", Node: "channel"}, "pdd买的空气炸锅用了三天就坏了商家让我找厂家", engine.Text, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.s.Seq = 9
			ev := a.TextEvent(tt.s, tt.text)
			if ev.Kind != tt.kind || ev.Option != tt.option || ev.Notice != tt.notice {
				t.Fatalf("%q: got %s %q notice %q, want %s %q notice %q", tt.text, ev.Kind, ev.Option, ev.Notice, tt.kind, tt.option, tt.notice)
			}
			if tt.proposeCat != "" && ev.Proposal.Category != tt.proposeCat {
				t.Fatalf("proposed %q, want %q", ev.Proposal.Category, tt.proposeCat)
			}
			if (ev.Kind == engine.Choose || ev.Kind == engine.Accept) && ev.Token != engine.Token(9) {
				t.Fatalf("token %q, want the question's", ev.Token)
			}
		})
	}
}

func TestVague(t *testing.T) {
	for _, tt := range []struct {
		text  string
		vague bool
	}{
		{"是", true}, {"你好", true}, {"hi", true}, {"Hello!", true}, {"help", true}, {"help me", true},
		{"1000", true}, {"😀", true}, {"", true}, {"退款", true}, {"ok", true}, {"not really", true}, {"在吗？", true},
		{"商家不退款", false}, {"手机坏了不给修", false}, {"the shop won't refund", false}, {"外卖里有头发", false},
	} {
		if got := advisor.Vague(tt.text); got != tt.vague {
			t.Errorf("Vague(%q) = %v, want %v", tt.text, got, tt.vague)
		}
	}
}

// The keys the advisor puts on events are ones the engine's key list (which
// lint checks) holds.
func TestNoticeKeysAreLinted(t *testing.T) {
	for _, k := range advisor.MessageKeys {
		if !slices.Contains(engine.MessageKeys, k) {
			t.Errorf("%s is not in engine.MessageKeys", k)
		}
	}
}

// unsureDescriber is a classifier that cannot decide between two trees.
type unsureDescriber struct{}

func (unsureDescriber) Describe(string) (engine.Proposal, bool) {
	return engine.Proposal{Category: "quality_defect", Confidence: 0.45, Alternatives: []string{"return_refused", "false_advertising"},
		Facts: map[string]string{"amount": "299.00"}}, true
}

// When the classifier is unsure the user picks among its best guesses (or
// something else, the menu); the pick enters that tree with the facts
// from the description.
func TestUnsureOffersTheBestGuesses(t *testing.T) {
	cat, r := shipped(t)
	a := realAdvisor(t, cat, r)
	a.Describer = unsureDescriber{}
	ctx := context.Background()
	for _, tt := range []struct {
		name   string
		answer func(s engine.Session, rep engine.Reply, buttons []render.Button) engine.Event
		tree   string
	}{
		{"tap the second", func(_ engine.Session, _ engine.Reply, b []render.Button) engine.Event { return b[1].Event }, "return_refused"},
		{"type the third's number", func(s engine.Session, _ engine.Reply, _ []render.Button) engine.Event { return a.TextEvent(s, "3") }, "false_advertising"},
		{"type the first's name", func(s engine.Session, _ engine.Reply, _ []render.Button) engine.Event {
			return a.TextEvent(s, "商品质量问题")
		}, "quality_defect"},
		{"something else", func(_ engine.Session, _ engine.Reply, b []render.Button) engine.Event { return b[3].Event }, "menu"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			key := "k-" + tt.name
			s, _ := a.Session(ctx, key)
			ev := a.TextEvent(s, "买的东西有问题，商家也不理我，花了299")
			if ev.Kind != engine.Propose {
				t.Fatalf("got %s, want propose", ev.Kind)
			}
			res, err := a.Handle(ctx, key, ev)
			if err != nil {
				t.Fatal(err)
			}
			rep := res.Replies[len(res.Replies)-1]
			if rep.Kind != engine.ConfirmReply {
				t.Fatalf("got %s, want a confirm", rep.Kind)
			}
			m, err := r.Render("zh", rep, render.Plain)
			if err != nil {
				t.Fatal(err)
			}
			var buttons []render.Button
			for _, row := range m.Buttons {
				buttons = append(buttons, row...)
			}
			var labels []string
			for _, b := range buttons {
				labels = append(labels, b.Text)
			}
			want := []string{r0(t, r, "category.quality_defect"), r0(t, r, "category.return_refused"), r0(t, r, "category.false_advertising"), r0(t, r, "button.something_else")}
			if !slices.Equal(labels, want) || m.Text != r0(t, r, "confirm.unsure") {
				t.Fatalf("confirm %q with %q, want %q", m.Text, labels, want)
			}
			res, err = a.Handle(ctx, key, tt.answer(res.Session, rep, buttons))
			if err != nil {
				t.Fatal(err)
			}
			if res.Session.Tree != tt.tree || res.Session.Pending != nil {
				t.Fatalf("in %q (pending %v), want %q", res.Session.Tree, res.Session.Pending, tt.tree)
			}
			if tt.tree != "menu" && res.Session.Facts["amount"] != "299.00" {
				t.Fatalf("facts %v lost the description's amount", res.Session.Facts)
			}
		})
	}
}

func r0(t *testing.T, r *render.Renderer, key string) string {
	t.Helper()
	s, err := r.T("zh", key, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
