package dialog

import (
	"io/fs"
	"testing"

	"github.com/disputebot/disputebot/dialogs"
	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/source"
)

// FuzzDecodeTree: whatever an author writes, the loader answers with a
// tree or with problems, each naming the file and a line; it never panics.
// Seeds: every shipped tree (f.Add) and testdata/fuzz/FuzzDecodeTree.
func FuzzDecodeTree(f *testing.F) {
	names, err := fs.Glob(dialogs.FS, "*.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, n := range names {
		data, err := fs.ReadFile(dialogs.FS, n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const file = "fuzz.yaml"
		tree, probs := decodeTree(file, data)
		checkProblems(t, file, probs)
		if tree == nil {
			if len(probs) == 0 {
				t.Fatal("no tree and no problem")
			}
			return
		}
		cat := &engine.Catalog{Trees: map[string]*engine.Tree{tree.ID: tree}, Menu: tree.ID}
		checkProblems(t, file, checkGraph(file, tree, cat))
	})
}

func checkProblems(t *testing.T, file string, probs []source.Problem) {
	t.Helper()
	for _, p := range probs {
		if p.File != file || p.Line <= 0 || p.Msg == "" {
			t.Fatalf("problem without file:line: %q", p.String())
		}
	}
}
