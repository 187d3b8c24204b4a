package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/disputebot/disputebot/internal/advisor"
	"github.com/disputebot/disputebot/internal/console"
	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/render"
	"github.com/disputebot/disputebot/internal/store"
	"github.com/disputebot/disputebot/internal/store/memstore"
	"github.com/disputebot/disputebot/internal/store/redisstore"
	"github.com/disputebot/disputebot/internal/summary"
)

func init() {
	commands["chat"] = command{summary: "talk to the advisor in the terminal (no token, no Redis needed)", run: runChat}
}

func runChat(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("chat", flag.ContinueOnError)
	fl.SetOutput(stderr)
	user := fl.String("user", "local", "who you are; with Redis (REDIS_URL, REDIS_CLUSTER_ADDRS or REDIS_SENTINEL_ADDRS) the same user resumes their case")
	lang := fl.String("lang", "", "zh or en (default: from LC_ALL / LC_MESSAGES / LANG)")
	dialogsDir := fl.String("dialogs", "", "dialogs folder to use instead of the embedded one (for authors)")
	localesDir := fl.String("locales", "", "locales folder (default: the dialogs folder's sibling \"locales\")")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if *lang == "" {
		*lang = envLang()
	}
	*lang = render.Lang(*lang)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	b, r, err := loadData(dataDirs(*dialogsDir, *localesDir))
	if err != nil {
		fmt.Fprintln(stderr, "disputebot:", err)
		return 1
	}
	var st store.Store = memstore.New(store.DefaultTTL, time.Now)
	if rc, ok, err := redisFromEnv(os.LookupEnv); err != nil {
		fmt.Fprintln(stderr, "disputebot:", err)
		return 1
	} else if ok {
		rs, client, err := redisstore.Dial(ctx, rc, redisstore.Options{TTL: ttlFromEnv()})
		if err != nil {
			fmt.Fprintln(stderr, "disputebot:", err)
			return 1
		}
		defer client.Close()
		st = rs
	}
	rem, _ := st.(store.Reminders) // both stores keep reminders
	c := &console.Chat{
		Advisor:  &advisor.Advisor{Catalog: b.Catalog, Store: st, Reminders: rem, Now: time.Now, Lang: *lang, Describer: newDescriber(stderr), Labels: r.T},
		Renderer: r,
		Summary:  caseSummary(b.Catalog, r),
		Key:      "cli:" + *user,
		Lang:     *lang,
		In:       stdin,
		Out:      stdout,
	}
	if err := c.Run(ctx); err != nil {
		fmt.Fprintln(stderr, "disputebot:", err)
		return 1
	}
	return 0
}

// envLang reads the POSIX locale variables in their order of precedence.
func envLang() string {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if s := os.Getenv(v); s != "" {
			return s
		}
	}
	return "en"
}

// ttlFromEnv reads SESSION_TTL (a Go duration such as 720h), defaulting
// to store.DefaultTTL.
func ttlFromEnv() time.Duration {
	if v := os.Getenv("SESSION_TTL"); v != "" {
		if d, err := time.ParseDuration(v); err == nil && d > 0 {
			return d
		}
	}
	return store.DefaultTTL
}

// caseSummary renders /summary in the terminal: the summary card, unmasked
// (the terminal is the user's own screen), or a note before any outcome.
func caseSummary(cat *engine.Catalog, r *render.Renderer) func(engine.Session, string) (string, error) {
	return func(s engine.Session, lang string) (string, error) {
		sum, ok := summary.Build(cat, s, time.Now(), false)
		if !ok {
			return r.T(lang, "summary.not_ready", nil)
		}
		return r.Summary(lang, sum, render.Plain)
	}
}
