package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"regexp"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/disputebot/disputebot/bot"
	"github.com/disputebot/disputebot/internal/store"
	"github.com/disputebot/disputebot/internal/store/memstore"
	"github.com/disputebot/disputebot/internal/store/redisstore"
	"github.com/disputebot/disputebot/internal/store/sealed"
)

func init() {
	commands["serve"] = command{summary: "the Telegram bot (long polling, or a webhook when WEBHOOK_URL is set)", run: runServe}
}

// runServe runs the bot until SIGINT or SIGTERM, then finishes the updates
// in flight and exits 0. A configuration error is one line on stderr and
// exit 1; so is a failure to start (bad token, unreachable Redis or Bot
// API, invalid dialogs).
func runServe(args []string, _ io.Reader, _, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serve(ctx, args, os.LookupEnv, stderr)
}

func serve(ctx context.Context, args []string, lookup func(string) (string, bool), stderr io.Writer) int {
	fl := flag.NewFlagSet("serve", flag.ContinueOnError)
	fl.SetOutput(stderr)
	memory := fl.Bool("memory", false, "keep sessions in memory instead of Redis, for a quick trial (lost on restart; one process only)")
	envFile := fl.String("env-file", ".env", "read variables not set in the environment from this file, if it exists")
	cpuProfile := fl.String("cpuprofile", "", "write a CPU profile to this file until the bot stops (for cmd/loadtest)")
	memProfile := fl.String("memprofile", "", "write a heap profile (text, with the runtime's memory statistics) to this file when the bot is told to stop, before it drains (for cmd/loadtest)")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintln(stderr, "disputebot serve:", oneLine(err))
		return 1
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return fail(err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fail(err)
		}
		defer pprof.StopCPUProfile()
	}
	if *memProfile != "" {
		// Finer than the default one sample per 512 KiB, so that the
		// smaller holders show at all (it slows allocation a little).
		runtime.MemProfileRate = 16 << 10
		// Written as the stop begins, the profile's in-use figures are
		// those of the last collection under load, not of an idle bot.
		// A serve that fails to start writes none, and does not wait.
		wrote, quit := make(chan struct{}), make(chan struct{})
		defer func() { close(quit); <-wrote }()
		go func() {
			defer close(wrote)
			select {
			case <-ctx.Done():
			case <-quit:
				return
			}
			if err := writeHeapProfile(*memProfile); err != nil {
				fmt.Fprintln(stderr, "disputebot serve: heap profile:", oneLine(err))
			}
		}()
	}
	lookup, err := withEnvFile(lookup, *envFile)
	if err != nil {
		return fail(err)
	}
	cfg, err := serveConfigFrom(lookup, *memory)
	if err != nil {
		return fail(err)
	}
	log := newLogger(stderr, cfg.logJSON, cfg.logLevel)

	data, r, err := loadData(dataDirs("", ""))
	if err != nil {
		// The problems, one per line, are what an operator needs here.
		fmt.Fprintln(stderr, "disputebot serve:", err)
		return 1
	}
	var st store.Store
	var ready func(context.Context) error // nil: always ready
	if cfg.redis == nil {
		st = memstore.New(cfg.ttl, time.Now)
		log.Warn("sessions are kept in memory: they are lost on restart")
	} else {
		rs, client, err := redisstore.Dial(ctx, *cfg.redis, redisstore.Options{TTL: cfg.ttl})
		if err != nil {
			return fail(err)
		}
		defer client.Close()
		st = rs
		ready = redisReady(client, time.Second)
		log.Info("session store", "redis", cfg.redis.Mode())
	}
	rem, _ := st.(store.Reminders) // both stores keep reminders
	var outbox store.Reminders     // and both an outbox
	if o, ok := st.(interface{ Outbox() store.Reminders }); ok {
		outbox = o.Outbox()
	}
	if cfg.sessionKey == nil {
		log.Warn("SESSION_KEY is not set: draft details (names, phones, addresses) are stored unencrypted")
	}
	if st, err = sealed.New(st, cfg.sessionKey, cfg.personalTTL, time.Now); err != nil {
		return fail(err)
	}
	var describer bot.Describer
	if d := newDescriber(stderr); d != nil {
		describer = d
	}
	metrics := newMetrics()
	b, err := bot.New(ctx, bot.Config{
		Metrics: metrics, Ready: ready,
		Token: cfg.token, APIURL: cfg.apiURL,
		Catalog: data.Catalog, Store: st, Reminders: rem, Outbox: outbox, Renderer: r, Describer: describer,
		SessionTTL: cfg.ttl, PersonalTTL: cfg.personalTTL, WebhookURL: cfg.webhookURL, WebhookSecret: cfg.webhookSecret,
		PublicURL: cfg.publicURL, ListenAddr: cfg.listenAddr, Logger: log, Limits: cfg.limits,
		ShutdownTimeout: cfg.grace,
	})
	if err != nil {
		return fail(err)
	}
	b.Handle("GET /metrics", metrics.Handler())
	if err := b.Run(ctx); err != nil {
		return fail(err)
	}
	return 0
}

// serveConfig is serve's configuration; see serveConfigFrom for the
// variables.
type serveConfig struct {
	token         string
	redis         *redisstore.Config // nil with --memory
	webhookURL    string
	webhookSecret string
	publicURL     string // where GET /s/<token> summary links are reached
	listenAddr    string
	apiURL        string
	logJSON       bool // LOG_FORMAT=json
	ttl           time.Duration
	grace         time.Duration // how long SIGTERM waits for updates in flight
	sessionKey    []byte        // nil: personal details stored in clear
	personalTTL   time.Duration // how long the complainant's details are kept
	logLevel      slog.Level
	limits        bot.Limits // zero: bot.DefaultLimits
}

var (
	tokenRE  = regexp.MustCompile(`^[0-9]+:[A-Za-z0-9_-]+$`)
	secretRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
)

// serveConfigFrom reads the configuration and checks it, saying what is
// wrong and how to fix it; it never repeats a secret.
func serveConfigFrom(lookup func(string) (string, bool), memory bool) (serveConfig, error) {
	get := func(k string) string { v, _ := lookup(k); return strings.TrimSpace(v) }
	c := serveConfig{
		token:      get("TELEGRAM_BOT_TOKEN"),
		webhookURL: get("WEBHOOK_URL"), webhookSecret: get("WEBHOOK_SECRET"),
		listenAddr: get("LISTEN_ADDR"), apiURL: get("TELEGRAM_API_URL"), publicURL: get("PUBLIC_URL"),
		ttl: store.DefaultTTL, grace: bot.DefaultShutdownGrace, personalTTL: sealed.DefaultPersonalTTL, logLevel: slog.LevelInfo,
	}
	switch {
	case c.token == "":
		return c, errors.New("TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and set it in the environment or in .env")
	case !tokenRE.MatchString(c.token):
		return c, errors.New("TELEGRAM_BOT_TOKEN does not look like a bot token (digits, a colon, then letters, digits, - and _)")
	}
	if !memory {
		rc, ok, err := redisFromEnv(lookup)
		switch {
		case err != nil:
			return c, err
		case !ok:
			return c, errors.New("REDIS_URL is not set (e.g. redis://localhost:6379/0), nor REDIS_CLUSTER_ADDRS or REDIS_SENTINEL_ADDRS; or run with --memory to keep sessions in memory for a trial")
		}
		c.redis = &rc
	}
	if c.webhookURL != "" {
		u, err := url.Parse(c.webhookURL)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return c, errors.New("WEBHOOK_URL must be an https:// URL that Telegram can reach (leave it empty for long polling)")
		}
		if u.RawQuery != "" || u.Fragment != "" {
			return c, errors.New("WEBHOOK_URL must not have a query or fragment: the secret goes in WEBHOOK_SECRET")
		}
		switch {
		case c.webhookSecret == "":
			return c, errors.New("WEBHOOK_SECRET is not set: webhook mode needs one (1-256 of A-Z a-z 0-9 _ -), e.g. from `openssl rand -hex 32`")
		case !secretRE.MatchString(c.webhookSecret):
			return c, errors.New("WEBHOOK_SECRET may only hold A-Z a-z 0-9 _ - and be at most 256 characters")
		}
		if c.listenAddr == "" {
			c.listenAddr = ":8080"
		}
	}
	if c.publicURL != "" {
		u, err := url.Parse(c.publicURL)
		local := u != nil && (u.Hostname() == "localhost" || u.Hostname() == "127.0.0.1" || u.Hostname() == "::1")
		switch {
		case err != nil || u.Host == "" || u.Scheme != "https" && !(u.Scheme == "http" && local):
			// A summary link is its own password: it must not travel in
			// clear text.
			return c, errors.New("PUBLIC_URL must be the https:// address where this server is reached (e.g. https://bot.example.org); http:// only for localhost")
		case u.RawQuery != "" || u.Fragment != "":
			return c, errors.New("PUBLIC_URL must not have a query or fragment")
		}
		if c.listenAddr == "" {
			c.listenAddr = ":8080"
		}
	}
	if c.listenAddr != "" {
		if _, _, err := net.SplitHostPort(c.listenAddr); err != nil {
			return c, fmt.Errorf("LISTEN_ADDR %q is not host:port (e.g. :8080)", c.listenAddr)
		}
	}
	if c.apiURL != "" {
		if u, err := url.Parse(c.apiURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return c, errors.New("TELEGRAM_API_URL must be an http(s):// URL of a Bot API server")
		}
	}
	if v := get("SESSION_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return c, fmt.Errorf("SESSION_TTL %q is not a positive duration (e.g. 720h for 30 days)", v)
		}
		c.ttl = d
	}
	if v := get("SESSION_KEY"); v != "" {
		k, err := sealed.ParseKey(v)
		if err != nil {
			// Never the key itself in the message.
			return c, fmt.Errorf("SESSION_KEY %s: it must be 32 random bytes in base64, e.g. from `openssl rand -base64 32`", err)
		}
		c.sessionKey = k
	}
	if v := get("PERSONAL_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return c, fmt.Errorf("PERSONAL_TTL %q is not a positive duration (e.g. 336h for 14 days)", v)
		}
		c.personalTTL = d
	}
	if v := get("SHUTDOWN_GRACE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return c, fmt.Errorf("SHUTDOWN_GRACE %q is not a positive duration (e.g. 30s)", v)
		}
		c.grace = d
	}
	switch v := strings.ToLower(get("TELEGRAM_PACING")); v {
	case "", "on":
	case "off":
		c.limits = bot.NoPacing
	default:
		return c, fmt.Errorf("TELEGRAM_PACING %q is not on or off (off only against a test Bot API: Telegram bans bots that flood it)", v)
	}
	if v := get("LOG_LEVEL"); v != "" {
		if err := c.logLevel.UnmarshalText([]byte(v)); err != nil {
			return c, fmt.Errorf("LOG_LEVEL %q is not one of debug, info, warn, error", v)
		}
	}
	switch v := strings.ToLower(get("LOG_FORMAT")); v {
	case "", "text":
	case "json":
		c.logJSON = true
	default:
		return c, fmt.Errorf("LOG_FORMAT %q is not text or json", v)
	}
	if err := sizeGlobalRate(get, &c.limits); err != nil {
		return c, err
	}
	return c, nil
}

// withEnvFile layers a .env file under the environment: a variable set in
// the environment wins. A missing file is fine; a malformed line is not.
func withEnvFile(lookup func(string) (string, bool), path string) (func(string) (string, bool), error) {
	if path == "" {
		return lookup, nil
	}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return lookup, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	vars := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" || strings.ContainsAny(k, " \t") {
			return nil, fmt.Errorf("%s:%d: not KEY=value", path, n)
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		vars[k] = v
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return func(k string) (string, bool) {
		if v, ok := lookup(k); ok {
			return v, true
		}
		v, ok := vars[k]
		return v, ok
	}, nil
}

// oneLine keeps an error to the single line an operator reads first.
func oneLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("heap").WriteTo(f, 1); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
