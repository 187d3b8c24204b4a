package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/disputebot/disputebot/dialogs"
	"github.com/disputebot/disputebot/locales"
)

// copyData writes the embedded dialogs and locales to a temporary folder,
// as an author's work copy.
func copyData(t *testing.T) (dialogsDir, localesDir string) {
	t.Helper()
	root := t.TempDir()
	dialogsDir, localesDir = filepath.Join(root, "dialogs"), filepath.Join(root, "locales")
	if err := os.CopyFS(dialogsDir, dialogs.FS); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(localesDir, locales.FS); err != nil {
		t.Fatal(err)
	}
	return dialogsDir, localesDir
}

func edit(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s does not contain %q", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLintShippedDialogs(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"lint"}, nil, &out, &errb); code != 0 {
		t.Fatalf("lint of the shipped dialogs failed (%d):\n%s%s", code, out.String(), errb.String())
	}
}

// TestLintNamesEachProblem is the acceptance check: a dangling next, a key
// missing in zh, an unreachable node and an unknown field, each reported
// with file:line, and a non-zero exit.
func TestLintNamesEachProblem(t *testing.T) {
	d, l := copyData(t)
	tree := filepath.Join(d, "personal_info.yaml")
	edit(t, tree, "next: forced_outcome }", "next: no_such_node }")
	edit(t, tree, "    text: personal_info.q.served\n", "    text: personal_info.q.served\n    colour: red\n")
	data, _ := os.ReadFile(tree)
	if err := os.WriteFile(tree, append(data, []byte("\n  - id: orphan\n    type: info\n    text: personal_info.q.where\n    next: forced_outcome\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	edit(t, filepath.Join(l, "personal_info.zh.yaml"), "personal_info.q.where: \"在哪里发生的？\"\n", "")

	var out, errb bytes.Buffer
	code := run([]string{"lint", d}, nil, &out, &errb)
	if code == 0 {
		t.Fatalf("lint passed a broken copy:\n%s", out.String())
	}
	report := out.String()
	for _, want := range []string{
		tree + `:`, `next "no_such_node" does not exist`,
		`unknown field "colour"`,
		`node "orphan" is unreachable`,
		`message key "personal_info.q.where" is missing in zh`,
	} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(report), "\n") {
		if strings.HasSuffix(line, "problem(s)") {
			continue
		}
		if !strings.Contains(line, ".yaml:") {
			t.Errorf("problem without file:line: %q", line)
		}
	}
}

func TestChatPipedReachesOutcome(t *testing.T) {
	tests := []struct {
		lang  string
		input string
		want  []string
	}{
		{"en", "/start personal_info\n1\n1\n1\n", []string{"Personal Information Protection Law, Art. 16", "Evidence to keep", "⬜", "not legal advice"}},
		{"zh", "/start personal_info\n1\n1\n1\n", []string{"《个人信息保护法》第16条", "要保留的证据", "⬜", "不是法律意见"}},
		{"en", "/start personal_info\n1\n1\n1\n/draft 12315\nLi Wei\n13812345678\n1 Road, Beijing\nHotpot King\n2 Street, Shanghai\nServe me without login\n/summary\n",
			[]string{"What is the merchant's name", "The merchant's address", "投诉人：Li Wei", "被投诉经营者：Hotpot King，地址2 Street, Shanghai", "Case summary", "Evidence still to gather"}},
		{"en", "/start personal_info\n6\n1\nnot a date\n2026-03-10\n/back\n/lang zh\n", []string{"Please type a date", "Personal Information Protection Law, Art. 57", "Going to court", "你最早什么时候知道信息泄露的"}},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			t.Setenv("REDIS_URL", "")
			var out, errb bytes.Buffer
			code := run([]string{"chat", "--lang", tt.lang}, strings.NewReader(tt.input), &out, &errb)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("chat output lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
}

func TestUnknownCommand(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"frobnicate"}, nil, &out, &errb); code != 2 || !strings.Contains(errb.String(), "unknown command") {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
}

// The diagrams in dialogs/README.md must show the trees as they are.
func TestReadmeGraphsUpToDate(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"graph", "--all"}, nil, &out, &errb); code != 0 {
		t.Fatalf("graph --all: %d %s", code, errb.String())
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "dialogs", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), graphsStart+out.String()+graphsEnd) {
		t.Fatal("dialogs/README.md diagrams are stale: run go run ./cmd/disputebot graph --all --readme dialogs/README.md")
	}
}

// TestLintNullLawEntries: a statute or law with no body is a problem at
// its line and exit 1, not a panic (issue 11, defect 2).
func TestLintNullLawEntries(t *testing.T) {
	d, _ := copyData(t)
	laws := filepath.Join(d, "laws.yaml")
	edit(t, laws, "\nstatutes:\n", "\nstatutes:\n  zz_empty:\n")
	edit(t, laws, "\nlaws:\n", "\nlaws:\n  zz_empty_law:\n")
	var out, errb bytes.Buffer
	code := run([]string{"lint", d}, nil, &out, &errb)
	if code != 1 {
		t.Fatalf("lint exit %d, want 1:\n%s%s", code, out.String(), errb.String())
	}
	for _, want := range []string{laws + ":7: statute \"zz_empty\" is empty", laws + ":146: law \"zz_empty_law\" is empty"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}
