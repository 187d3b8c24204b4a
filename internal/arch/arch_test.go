package arch

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// imports maps each folder (relative to the module root) to the imports of
// its non-test Go files.
func imports(t *testing.T) map[string][]string {
	t.Helper()
	root := filepath.Join("..", "..")
	out := map[string][]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		dir, _ := filepath.Rel(root, filepath.Dir(path))
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			out[filepath.ToSlash(dir)] = append(out[filepath.ToSlash(dir)], p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRooms(t *testing.T) {
	all := imports(t)
	if len(all["internal/engine"]) == 0 {
		t.Fatal("found no imports for internal/engine; is the walk rooted right?")
	}
	rules := []struct {
		lib     string
		allowed func(dir string) bool
	}{
		{"github.com/go-telegram/bot", func(d string) bool { return d == "bot" || strings.HasPrefix(d, "bot/") }},
		{"github.com/nicksnyder/go-i18n", func(d string) bool { return d == "internal/render" }},
		{"github.com/redis/go-redis", func(d string) bool {
			// redisstore/redistest starts real servers for tests.
			return d == "internal/store/redisstore" || strings.HasPrefix(d, "internal/store/redisstore/") || strings.HasPrefix(d, "cmd/")
		}},
		// The bot records metrics through bot.Metrics; only internal/metrics
		// knows Prometheus.
		{"github.com/prometheus/", func(d string) bool { return d == "internal/metrics" || strings.HasPrefix(d, "cmd/") }},
	}
	for dir, imps := range all {
		for _, imp := range imps {
			for _, r := range rules {
				if strings.HasPrefix(imp, r.lib) && !r.allowed(dir) {
					t.Errorf("%s imports %s, which belongs elsewhere", dir, imp)
				}
			}
		}
	}
}

// The engine is the domain: standard library only.
func TestEngineIsPure(t *testing.T) {
	for _, imp := range imports(t)["internal/engine"] {
		if first, _, _ := strings.Cut(imp, "/"); strings.Contains(first, ".") {
			t.Errorf("internal/engine imports %s; it may use only the standard library", imp)
		}
	}
}
