package bot

import (
	"io/fs"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/disputebot/disputebot/internal/render"
	"github.com/disputebot/disputebot/locales"
)

// TestBotMessages checks locales/bot.*.yaml against Keys: every key in both
// languages, with the same template fields, within Telegram's limits, and
// no bot message that Keys does not list (lint would call it unused).
func TestBotMessages(t *testing.T) {
	files := map[string]map[string]string{}
	for _, lang := range []string{render.EN, render.ZH} {
		data, err := fs.ReadFile(locales.FS, "bot."+lang+".yaml")
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := yaml.Unmarshal(data, &m); err != nil {
			t.Fatalf("bot.%s.yaml: %v", lang, err)
		}
		files[lang] = m
	}
	r, err := render.New(locales.FS, nil)
	if err != nil {
		t.Fatal(err)
	}
	field := regexp.MustCompile(`{{\s*\.(\w+)\s*}}`)
	fields := func(s string) []string {
		var out []string
		for _, m := range field.FindAllStringSubmatch(s, -1) {
			out = append(out, m[1])
		}
		sort.Strings(out)
		return out
	}
	keys := Keys()
	for _, k := range keys {
		if !strings.HasPrefix(k, "bot.") {
			continue // locales/remind.*.yaml: TestRemindMessages
		}
		en, zh := files[render.EN][k], files[render.ZH][k]
		if strings.TrimSpace(en) == "" || strings.TrimSpace(zh) == "" {
			t.Errorf("%s: missing in en or zh", k)
			continue
		}
		if !slices.Equal(fields(en), fields(zh)) {
			t.Errorf("%s: template fields differ: en %v, zh %v", k, fields(en), fields(zh))
		}
		for _, lang := range []string{render.EN, render.ZH} {
			data := map[string]any{"Link": "https://t.me/x", "Period": "30 days", "URL": "https://bot.example/s/x"}
			s, err := r.T(lang, k, data)
			if err != nil {
				t.Errorf("%s (%s): %v", k, lang, err)
			}
			switch {
			case strings.HasPrefix(k, "bot.cmd.") && utf16Len(s) > 256:
				t.Errorf("%s (%s): command descriptions are at most 256 characters", k, lang)
			case strings.HasPrefix(k, "bot.toast.") && utf16Len(s) > 200:
				t.Errorf("%s (%s): toasts are at most 200 characters", k, lang)
			case strings.HasPrefix(k, "bot.forget.") && (k == "bot.forget.yes" || k == "bot.forget.no") && utf16Len(s) > 40:
				t.Errorf("%s (%s): a button label this long is cut on a phone", k, lang)
			case (strings.HasPrefix(k, "bot.action.") || strings.HasPrefix(k, "bot.draft.") && k != "bot.draft.pick" || k == "bot.share.button") && utf16Len(s) > 30:
				t.Errorf("%s (%s): a button label this long is cut on a phone", k, lang)
			case k == "bot.download.html" || k == "bot.download.txt":
				if utf16Len(s) > 1024 {
					t.Errorf("%s (%s): captions are at most 1024 characters", k, lang)
				}
			case k == "bot.inline.none" && utf16Len(s) > 64:
				t.Errorf("%s (%s): the inline button label is cut beyond 64 characters", k, lang)
			}
		}
	}
	for lang, m := range files {
		for k := range m {
			if !slices.Contains(keys, k) {
				t.Errorf("bot.%s.yaml: %s is not in Keys()", lang, k)
			}
		}
	}
}

func TestPeriod(t *testing.T) {
	tests := []struct {
		lang string
		ttl  string
		want string
	}{
		{"en", "720h", "30 days"}, {"zh", "720h", "30天"}, {"en", "24h", "1 day"},
		{"en", "36h", "36 hours"}, {"zh", "36h", "36小时"}, {"en", "1h", "1 hour"}, {"en", "90m", "2 hours"},
	}
	for _, tt := range tests {
		d, _ := time.ParseDuration(tt.ttl)
		if got := period(tt.lang, d); got != tt.want {
			t.Errorf("period(%s, %s) = %q, want %q", tt.lang, tt.ttl, got, tt.want)
		}
	}
}
