package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/remind"
	"github.com/disputebot/disputebot/internal/render"
	"github.com/disputebot/disputebot/internal/store"
	"github.com/disputebot/disputebot/internal/store/redisstore"
)

func init() {
	commands["reminders"] = command{summary: "print the reminders due by --at (RFC 3339), one JSON object per line, without sending", run: runReminders}
}

// reminderLine is one line of `disputebot reminders`.
type reminderLine struct {
	Key      string `json:"key"`
	ID       string `json:"id"`
	Kind     string `json:"kind"`
	Deadline string `json:"deadline,omitempty"`
	Due      string `json:"due_date,omitempty"`
	At       string `json:"due_at"`
	Lang     string `json:"lang"`
	Text     string `json:"text"`
	// Stale: the case changed since the reminder was planned; the bot
	// will drop it rather than send it.
	Stale bool `json:"stale,omitempty"`
}

func runReminders(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("reminders", flag.ContinueOnError)
	fl.SetOutput(stderr)
	at := fl.String("at", "", "list reminders due at or before this time, RFC 3339 (default: now)")
	limit := fl.Int("limit", 10000, "at most this many")
	envFile := fl.String("env-file", ".env", "read variables not set in the environment from this file, if it exists")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintln(stderr, "disputebot reminders:", oneLine(err))
		return 1
	}
	until := time.Now()
	if *at != "" {
		t, err := time.Parse(time.RFC3339, *at)
		if err != nil {
			return fail(fmt.Errorf("--at %q is not an RFC 3339 time (e.g. 2026-12-14T09:00:00+08:00)", *at))
		}
		until = t
	}
	lookup, err := withEnvFile(os.LookupEnv, *envFile)
	if err != nil {
		return fail(err)
	}
	rc, ok, err := redisFromEnv(lookup)
	if err != nil {
		return fail(err)
	}
	if !ok {
		return fail(errors.New("REDIS_URL (or REDIS_CLUSTER_ADDRS / REDIS_SENTINEL_ADDRS) is not set: reminders are kept in Redis, as `serve` keeps them"))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rs, client, err := redisstore.Dial(ctx, rc, redisstore.Options{TTL: ttlFromEnv()})
	if err != nil {
		return fail(err)
	}
	defer client.Close()
	data, r, err := loadData(dataDirs("", ""))
	if err != nil {
		fmt.Fprintln(stderr, "disputebot reminders:", err)
		return 1
	}
	due, err := rs.DueReminders(ctx, until, *limit)
	if err != nil {
		return fail(err)
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	for _, rem := range due {
		var sess *engine.Session
		if s, err := rs.Get(ctx, rem.Key); err == nil {
			sess = &s
		} else if !errors.Is(err, store.ErrNotFound) {
			return fail(err)
		}
		// Worded as the bot would word it when it is due.
		lang, send := remind.Decide(data.Catalog, sess, rem, rem.At)
		text, err := r.Reminder(lang, rem, render.Plain)
		if err != nil {
			return fail(err)
		}
		if err := enc.Encode(reminderLine{Key: rem.Key, ID: rem.ID, Kind: string(rem.Kind), Deadline: rem.Rule, Due: rem.Due,
			At: rem.At.In(engine.China).Format(time.RFC3339), Lang: lang, Text: text, Stale: !send}); err != nil {
			return fail(err)
		}
	}
	return 0
}
