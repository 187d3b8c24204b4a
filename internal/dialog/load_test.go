package dialog

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/source"
)

// A minimal valid world: a menu, one tree, a registry and both locales.
const (
	goodMenu = `id: menu
version: 1
start: pick
nodes:
  - id: pick
    type: choice
    text: m.pick
    options:
      - { id: t, text: m.t, goto: t }
`
	goodTree = `id: t
version: 1
start: q
category: t
nodes:
  - id: q
    type: choice
    text: t.q
    options:
      - { id: a, text: t.a, set: { x: a }, next: amount }
      - { id: b, text: t.b, next: done }
  - id: amount
    type: input
    text: t.amount
    input: { kind: money, max: 1000 }
    save_as: amount
    next:
      - if: { var: amount, gt: 100 }
        then: done
      - else: done
  - id: done
    type: outcome
    category: t
    title: t.done
    law: [l1]
`
	goodLaws = `statutes:
  s: { name: { zh: 法, en: Law }, short: { zh: 法, en: L }, source: x }
laws:
  l1: { statute: s, article: { zh: 第1条, en: Art. 1 }, says: { zh: 说, en: says }, source: x }
`
	goodEN = "m.pick: Pick\nm.t: T\nt.q: Q\nt.q.fact: Q fact\nt.a: A\nt.b: B\nt.amount: Amount\nt.amount.fact: Amount paid\nt.done: Done\n"
	goodZH = "m.pick: 选\nm.t: T\nt.q: 问\nt.q.fact: 事\nt.a: 甲\nt.b: 乙\nt.amount: 金额\nt.amount.fact: 付款金额\nt.done: 完\n"
)

// ruleLaws adds the registry entries the engine's deadline and
// compensation rules cite, which every registry must hold.
func ruleLaws() string {
	var b strings.Builder
	for _, id := range engine.RuleLawIDs() {
		b.WriteString("  " + id + ": { statute: s, article: { zh: 第1条, en: Art. 1 }, says: { zh: 说, en: says }, source: x }\n")
	}
	return b.String()
}

func world() (fstest.MapFS, fstest.MapFS) {
	d := fstest.MapFS{
		"menu.yaml": {Data: []byte(goodMenu)},
		"t.yaml":    {Data: []byte(goodTree)},
		"laws.yaml": {Data: []byte(goodLaws + ruleLaws())},
	}
	l := fstest.MapFS{
		"t.en.yaml": {Data: []byte(goodEN)},
		"t.zh.yaml": {Data: []byte(goodZH)},
	}
	return d, l
}

func TestLoadValid(t *testing.T) {
	d, l := world()
	b, probs := Load(d, l, nil)
	if len(probs) > 0 {
		t.Fatalf("unexpected problems:\n%v", source.Error(probs))
	}
	if b.Catalog.Trees["t"].Nodes["amount"].Input.Max != 1000 {
		t.Fatal("input limits not decoded")
	}
}

func TestLoadReportsEveryProblemWithFileAndLine(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(d, l fstest.MapFS)
		want   []string // substrings of "file:line: message" lines
		engine bool
	}{
		{"dangling next", func(d, l fstest.MapFS) {
			d["t.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(goodTree, "next: done }", "next: nowhere }", 1))}
		}, []string{`dialogs/t.yaml:6: node "q": next "nowhere" does not exist`}, false},
		{"key missing in zh", func(d, l fstest.MapFS) {
			l["t.zh.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(goodZH, "t.b: 乙\n", "", 1))}
		}, []string{`dialogs/t.yaml:6: message key "t.b" is missing in zh`}, false},
		{"unreachable node", func(d, l fstest.MapFS) {
			d["t.yaml"] = &fstest.MapFile{Data: []byte(goodTree + "  - id: lost\n    type: info\n    text: t.q\n    next: done\n")}
		}, []string{`dialogs/t.yaml:26: node "lost" is unreachable from start "q"`}, false},
		{"unknown field", func(d, l fstest.MapFS) {
			d["t.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(goodTree, "    text: t.q\n", "    text: t.q\n    colour: red\n", 1))}
		}, []string{`dialogs/t.yaml:9: unknown field "colour"`}, false},
		{"all four at once", func(d, l fstest.MapFS) {
			tree := strings.Replace(goodTree, "next: done }", "next: nowhere }", 1)
			tree += "  - id: lost\n    type: info\n    text: t.q\n    next: done\n"
			d["t.yaml"] = &fstest.MapFile{Data: []byte(tree)}
			l["t.zh.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(goodZH, "t.a: 甲\n", "", 1))}
		}, []string{`next "nowhere" does not exist`, `"lost" is unreachable`, `"t.a" is missing in zh`}, false},
		{"cycle and no outcome", func(d, l fstest.MapFS) {
			d["t.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(goodTree, "      - else: done", "      - else: q", 1))}
		}, []string{`cycle: q -> amount -> q`}, false},
		{"dead end", func(d, l fstest.MapFS) {
			tree := strings.Replace(goodTree, "next: done }", "next: loop }", 1) + "  - id: loop\n    type: info\n    text: t.q\n    next: loop\n"
			d["t.yaml"] = &fstest.MapFile{Data: []byte(tree)}
		}, []string{`node "loop" can never reach an outcome`}, false},
		{"duplicate node id", func(d, l fstest.MapFS) {
			d["t.yaml"] = &fstest.MapFile{Data: []byte(goodTree + "  - id: done\n    type: outcome\n    category: t\n    title: t.done\n    law: [l1]\n")}
		}, []string{`dialogs/t.yaml:26: duplicate node id "done"`}, false},
		{"unknown law", func(d, l fstest.MapFS) {
			d["t.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(goodTree, "law: [l1]", "law: [l1, l9]", 1))}
		}, []string{`law "l9" is not in the registry`}, false},
		{"law nobody cites", func(d, l fstest.MapFS) {
			d["laws.yaml"] = &fstest.MapFile{Data: []byte(goodLaws + ruleLaws() + "  l2: { statute: s, article: { zh: 第2条, en: Art. 2 }, says: { zh: 说, en: says }, source: x }\n")}
		}, []string{`law "l2" is cited by no dialog`}, false},
		{"unused key", func(d, l fstest.MapFS) {
			l["t.en.yaml"] = &fstest.MapFile{Data: []byte(goodEN + "t.spare: Spare\n")}
		}, []string{`locales/t.en.yaml:10: message key "t.spare" is used nowhere`}, false},
		{"button data too long", func(d, l fstest.MapFS) {
			d["t.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(goodTree, "{ id: b,", "{ id: "+strings.Repeat("b", 60)+",", 1))}
		}, []string{`over Telegram's 64`}, false},
		{"conditional next without else", func(d, l fstest.MapFS) {
			d["t.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(goodTree, "      - else: done\n", "", 1))}
		}, []string{`must end with an else branch`}, false},
		{"bad condition operator", func(d, l fstest.MapFS) {
			d["t.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(goodTree, "gt: 100", "bigger: 100", 1))}
		}, []string{`unknown condition key "bigger"`}, false},
		{"malformed yaml", func(d, l fstest.MapFS) {
			d["t.yaml"] = &fstest.MapFile{Data: []byte("id: t\nnodes: [\n")}
		}, []string{`dialogs/t.yaml:`}, false},
		{"money input without max", func(d, l fstest.MapFS) {
			d["t.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(goodTree, "{ kind: money, max: 1000 }", "{ kind: money }", 1))}
		}, []string{`money input needs max`}, false},
		{"code key missing", func(d, l fstest.MapFS) {}, []string{`(program): message key "notice.x" is missing in en`}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, l := world()
			tt.edit(d, l)
			var code []string
			if tt.engine {
				code = []string{"notice.x"}
			}
			b, probs := Load(d, l, code)
			if b != nil {
				t.Fatal("a bundle with problems must not be returned")
			}
			report := source.Error(probs).Error()
			if tt.name == "unknown field" && strings.Contains(report, "used nowhere") {
				t.Errorf("one unknown field must not hide the whole tree:\n%s", report)
			}
			for _, w := range tt.want {
				if !strings.Contains(report, w) {
					t.Errorf("report lacks %q:\n%s", w, report)
				}
			}
		})
	}
}
