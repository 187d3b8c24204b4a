package render_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/disputebot/disputebot/dialogs"
	"github.com/disputebot/disputebot/internal/dialog"
	"github.com/disputebot/disputebot/internal/render"
	"github.com/disputebot/disputebot/internal/summary"
)

// chromium finds a headless browser; CI installs Debian's chromium.
func chromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestPageRendersInChromium loads a summary page in headless Chromium and
// checks that the rendered document shows the case title and the evidence
// list: the page a user opens from a shared link must work in a browser.
func TestPageRendersInChromium(t *testing.T) {
	bin := chromium()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI must run the page test, but no Chromium binary was found")
		}
		t.Skip("no Chromium binary on this machine (.ci/run installs Debian's chromium)")
	}
	b, r := loadReal(t)
	results, _ := dialog.RunCases(b, dialogs.FS)
	var res *dialog.CaseResult
	for i := range results {
		if results[i].Outcome != "" && len(results[i].Failures) == 0 && len(results[i].Replies) > 0 {
			res = &results[i]
			break
		}
	}
	if res == nil {
		t.Fatal("no case reaches an outcome")
	}
	sum, _ := summary.Build(b.Catalog, res.Session, res.Now, true)
	page, err := r.Page([]string{render.EN, render.ZH}, sum)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "summary.html")
	if err := os.WriteFile(file, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--virtual-time-budget=2000", "--dump-dom", "file://"+file)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	dom := string(out)
	title, err := r.T(render.EN, sum.Title, nil)
	if err != nil {
		t.Fatal(err)
	}
	evidence, err := r.T(render.EN, "evidence."+sum.Advice.Evidence[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{htmlEscape(title), htmlEscape(evidence), `class="missing"`, "<h1>"} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered page lacks %q", want)
		}
	}
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
