package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"

	"github.com/disputebot/disputebot/internal/engine"
)

// The acceptance check: in the terminal chat on Redis, /remind on after a
// phone-fault outcome makes `reminders --at` (before the 15-day deadline)
// list a reminder for that user; after /forget it lists none.
func TestRemindersAfterRemindOnAndForget(t *testing.T) {
	mr := miniredis.RunT(t)
	t.Setenv("REDIS_URL", "redis://"+mr.Addr()+"/0")
	got := engine.Today(time.Now()).AddDate(0, 0, -3)
	chat := func(input string) string {
		t.Helper()
		var out, errb bytes.Buffer
		if code := run([]string{"chat", "--lang", "en", "--user", "alice"}, strings.NewReader(input), &out, &errb); code != 0 {
			t.Fatalf("chat exit %d: %s", code, errb.String())
		}
		return out.String()
	}
	list := func() []reminderLine {
		t.Helper()
		// The morning before the 15-day deadline's last day.
		at := got.AddDate(0, 0, 14).Add(10 * time.Hour).Format(time.RFC3339)
		var out, errb bytes.Buffer
		if code := run([]string{"reminders", "--at", at, "--env-file", ""}, nil, &out, &errb); code != 0 {
			t.Fatalf("reminders exit %d: %s", code, errb.String())
		}
		var lines []reminderLine
		sc := bufio.NewScanner(&out)
		for sc.Scan() {
			var l reminderLine
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				t.Fatalf("not a JSON line: %q: %v", sc.Text(), err)
			}
			lines = append(lines, l)
		}
		return lines
	}

	out := chat("/start quality_defect\n1\n1\n" + got.Format(engine.DateLayout) + "\n1\n1\n1\n/remind on\n")
	for _, w := range []string{"Reminders before these deadlines: /remind on", "Reminders are on"} {
		if !strings.Contains(out, w) {
			t.Fatalf("chat output lacks %q:\n%s", w, out)
		}
	}
	lines := list()
	var exchange bool
	for _, l := range lines {
		if l.Key != "cli:alice" || l.Lang != "en" || l.Stale || l.Text == "" {
			t.Errorf("line %+v", l)
		}
		if l.Deadline == "sanbao_exchange" {
			exchange = true
			due := got.AddDate(0, 0, 15).Format(engine.DateLayout)
			if l.Due != due || !strings.Contains(l.Text, "Exchange or repair") || !strings.HasSuffix(l.At, "T09:00:00+08:00") {
				t.Errorf("15-day reminder %+v, want due %s at 09:00 China time", l, due)
			}
		}
	}
	if !exchange {
		t.Fatalf("no reminder for the 15-day deadline in %+v", lines)
	}

	chat("/forget\n")
	if lines := list(); len(lines) != 0 {
		t.Fatalf("after /forget: %+v", lines)
	}
}

func TestRemindersNeedsRedisAndATime(t *testing.T) {
	t.Setenv("REDIS_URL", "")
	var out, errb bytes.Buffer
	if code := run([]string{"reminders", "--env-file", ""}, nil, &out, &errb); code != 1 || !strings.Contains(errb.String(), "REDIS_URL") {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	errb.Reset()
	if code := run([]string{"reminders", "--at", "tomorrow"}, nil, &out, &errb); code != 1 || !strings.Contains(errb.String(), "RFC 3339") {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
}
