// Package bot is the Telegram front end: it turns updates into engine events,
// runs them through the advisor (load, step, compare-and-set save), and turns
// the engine's replies into messages, inline keyboards, edits and toasts. It
// is the only user of go-telegram/bot.
//
// go-telegram/bot serves as the Bot API client and the long-polling loop,
// but for the four calls nearly every update makes (sendMessage, the two
// edits, answerCallbackQuery), which jsonAPI sends as JSON. Everything between an update and the replies is ours: per-chat ordering
// (lanes), deduplication (the engine records update ids in the session),
// pacing and retries (sender), and the webhook endpoint (the library's
// neither answers 401 to a wrong secret nor keeps message text out of its
// error log).
package bot

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/disputebot/disputebot/internal/advisor"
	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/render"
	"github.com/disputebot/disputebot/internal/store"
)

// Describer proposes a case from a free-text description. It has the shape
// of advisor.Describer, so one value (internal/intake's) serves every front
// end.
type Describer interface {
	Describe(text string) (engine.Proposal, bool)
}

// SummaryFunc renders the case summary /summary sends. The messages are
// HTML; their buttons fire engine events like any rendered message's.
type SummaryFunc func(ctx context.Context, key string, s engine.Session, lang string) ([]render.Message, error)

// Config is what a Bot needs. Token, Catalog, Store and Renderer are
// required.
type Config struct {
	Token string
	// APIURL is another Bot API server (a self-hosted telegram-bot-api, or a
	// test fake); empty means api.telegram.org.
	APIURL   string
	Catalog  *engine.Catalog
	Store    store.Store
	Renderer *render.Renderer
	// Describer reads free text; nil shows the category menu instead.
	Describer Describer
	// Summary renders /summary and the Summary button; nil sends the
	// masked case summary card (with its link once shared).
	Summary SummaryFunc
	// SessionTTL is how long the store keeps an idle session, for /privacy
	// (store.DefaultTTL if zero).
	SessionTTL time.Duration
	// PersonalTTL is how long the store keeps a complainant's details
	// (internal/store/sealed), for /privacy; zero says nothing of it.
	PersonalTTL time.Duration
	// WebhookURL switches to webhook mode: updates arrive at this URL's path
	// on ListenAddr, which Telegram must reach (through a TLS proxy).
	// WebhookSecret is then required: Telegram sends it with every update,
	// and requests without it are refused.
	WebhookURL    string
	WebhookSecret string
	// PublicURL is where the HTTP server is reached from the internet
	// (through a TLS proxy), e.g. https://bot.example.org. When set, shared
	// case summaries get a read-only link, PublicURL + "/s/<token>", which
	// the server answers; empty means no links.
	PublicURL string
	// ListenAddr is where the HTTP server (webhook, /healthz, summary links
	// and any routes added with Handle) listens. In webhook mode, or with a
	// PublicURL, it defaults to ":8080"; otherwise the server runs only if
	// it is set.
	ListenAddr string
	// ShutdownTimeout bounds how long Run waits for updates in flight once
	// asked to stop (DefaultShutdownGrace if zero). Webhook requests whose
	// updates are not applied by then are answered 503.
	ShutdownTimeout time.Duration
	Limits          Limits // DefaultLimits if zero
	Logger          *slog.Logger
	Now             func() time.Time
	// HTTPClient makes the Bot API calls (a default one if nil). Its
	// timeout must exceed the long-polling wait of one minute.
	HTTPClient *http.Client
	// Reminders keeps deadline reminders; nil turns them off (no "Remind
	// me" button, /remind says there is nothing to remind). Run sends
	// those due every RemindEvery (30s if zero), by Now's clock.
	Reminders   store.Reminders
	RemindEvery time.Duration
	// Outbox keeps the replies owed to chats: those of a saved step that
	// could not be delivered (outbox.go). Run pays those due at start and
	// every OutboxEvery (5s if zero). Nil: a reply that cannot be
	// delivered is lost (the user's next message shows the case).
	Outbox      store.Reminders
	OutboxEvery time.Duration
	// Metrics records updates, Bot API calls, store conflicts,
	// consultations and classifier outcomes (nothing if nil).
	Metrics Metrics
	// Ready reports whether the bot can serve now (its store answers), for
	// GET /readyz: 200 "ready", or 503. It must return promptly; the bot
	// gives it readyTimeout. Nil: always ready.
	Ready func(ctx context.Context) error
}

// Bot is a running Telegram front end. Create it with New, then Run it.
type Bot struct {
	cfg     Config
	api     *tgbot.Bot
	adv     *advisor.Advisor
	out     *sender
	lanes   *lanes
	seen    *recentIDs
	acks    *acks
	mux     *http.ServeMux
	log     *slog.Logger
	me      *models.User
	tagKey  []byte
	summary SummaryFunc
	metrics Metrics

	// base is the context updates are handled in. It is not the context
	// Run is given: on SIGTERM, updates in flight must finish, so base is
	// cancelled only when the shutdown grace period is over.
	base context.Context
	stop context.CancelFunc

	// Test hooks: handled is called when an update is done with,
	// listening when the HTTP server listens.
	handled   func(updateID int64)
	listening func(addr net.Addr)
}

// allowedUpdates are the update kinds the bot asks Telegram for; others
// (channel posts, reactions, member changes) never reach it.
var allowedUpdates = []string{models.AllowedUpdateMessage, models.AllowedUpdateEditedMessage, models.AllowedUpdateCallbackQuery,
	models.AllowedUpdateInlineQuery}

// Limits on a chat's queue and on how long one update may take.
const (
	// maxRunning bounds the updates handled at once (lanes.slots); the
	// rest wait on their chats' lanes, in order.
	maxRunning       = 64
	maxQueuedPerChat = 64
	updateTimeout    = 2 * time.Minute
	pollTimeout      = time.Minute
)

// The sessions a polling bot keeps between a chat's steps, never older
// than cacheAge since read from the store. A session is about 2 KB in
// memory, and the garbage collector's headroom doubles that in the
// process's size: at 2,048 the cache was a quarter of the live heap under
// load and 5 MB of RSS (cmd/loadtest, 1,000 chats tapping at once). 1,024
// covers the chats between two steps of a replica serving 100 steps/s to
// people who tap every ten seconds; a chat that falls out costs one read.
const (
	cachedSessions = 1024
	cacheAge       = 5 * time.Minute
)

// DefaultShutdownGrace is how long Run waits, once asked to stop, for the
// updates in flight.
const DefaultShutdownGrace = 10 * time.Second

// New checks cfg and the token (with getMe) and returns a Bot ready to Run.
// Handler serves webhook requests already, for tests that deliver them.
func New(ctx context.Context, cfg Config) (*Bot, error) {
	switch {
	case strings.TrimSpace(cfg.Token) == "":
		return nil, errors.New("no bot token")
	case cfg.Catalog == nil || cfg.Store == nil || cfg.Renderer == nil:
		return nil, errors.New("bot: Catalog, Store and Renderer are required")
	}
	var hookPath string
	if cfg.WebhookURL != "" {
		u, err := url.Parse(cfg.WebhookURL)
		if err != nil || u.Host == "" || u.Scheme != "https" && u.Scheme != "http" {
			return nil, fmt.Errorf("webhook URL %q is not an absolute http(s) URL", cfg.WebhookURL)
		}
		if cfg.WebhookSecret == "" {
			return nil, errors.New("webhook mode needs a secret token")
		}
		hookPath = u.EscapedPath()
		if hookPath == "" {
			hookPath = "/"
		}
		if cfg.ListenAddr == "" {
			cfg.ListenAddr = ":8080"
		}
	}
	var pagePath string
	if cfg.PublicURL != "" {
		u, err := url.Parse(cfg.PublicURL)
		if err != nil || u.Host == "" || u.Scheme != "https" && u.Scheme != "http" || u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("public URL %q is not an absolute http(s) URL without query", cfg.PublicURL)
		}
		// Links are served under the URL's path, as the webhook is, so a
		// proxy forwards the path as it is.
		pagePath = strings.TrimRight(u.EscapedPath(), "/") + "/s/"
		cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
		if cfg.ListenAddr == "" {
			cfg.ListenAddr = ":8080"
		}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Limits == (Limits{}) {
		cfg.Limits = DefaultLimits
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = store.DefaultTTL
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = DefaultShutdownGrace
	}
	tagKey := sha256.Sum256([]byte("chat-tag:" + cfg.Token))
	b := &Bot{
		cfg:    cfg,
		lanes:  newLanes(maxQueuedPerChat).bounded(maxRunning),
		seen:   newRecentIDs(4096),
		acks:   newAcks(),
		mux:    http.NewServeMux(),
		log:    cfg.Logger,
		tagKey: tagKey[:],
		adv: &advisor.Advisor{Catalog: cfg.Catalog, Store: cfg.Store, Now: cfg.Now,
			// No default language: a new chat's comes from its language_code.
			Describer: cfg.Describer, Labels: cfg.Renderer.T, Reminders: cfg.Reminders},
	}
	if cfg.WebhookURL == "" {
		// Long polling: Telegram gives each update to the one poller, so
		// this process saw a chat's last step and its steps can start from
		// the session it saved (advisor.Cache). Webhook replicas behind a
		// load balancer would mostly hold stale copies.
		b.adv.Cache = advisor.NewCache(cachedSessions, cacheAge, nil)
	}
	b.summary = cfg.Summary
	if b.summary == nil {
		b.summary = b.summaryCard
	}

	opts := []tgbot.Option{
		// The library polls for nothing (poll.go does) and makes only the
		// calls jsonAPI does not: uploads, webhook setup, getMe.
		tgbot.WithSkipGetMe(),
		// The library's own logger prints raw errors, which may hold a
		// response body (users' words); ours logs their class only.
		tgbot.WithErrorsHandler(b.clientError),
		tgbot.WithDebugHandler(func(string, ...any) {}),
	}
	if cfg.APIURL != "" {
		opts = append(opts, tgbot.WithServerURL(strings.TrimRight(cfg.APIURL, "/")))
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = newHTTPClient()
	}
	opts = append(opts, tgbot.WithHTTPClient(pollTimeout, wholeBodies{cfg.HTTPClient}))
	api, err := tgbot.New(cfg.Token, opts...)
	if err != nil {
		return nil, fmt.Errorf("telegram client: %s", redact(err.Error(), cfg.Token))
	}
	b.api = api
	b.out = newSender(api, newJSONAPI(cfg.APIURL, cfg.Token, cfg.HTTPClient), b.log, b.tag, cfg.Limits, time.Now)

	gctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	err = b.out.do(gctx, 0, "getMe", false, func(ctx context.Context) (err error) {
		b.me, err = api.GetMe(ctx)
		return err
	})
	switch {
	case errors.Is(err, tgbot.ErrorUnauthorized), errors.Is(err, tgbot.ErrorNotFound):
		return nil, errors.New("Telegram rejected the bot token (check TELEGRAM_BOT_TOKEN)")
	case err != nil:
		return nil, fmt.Errorf("cannot reach the Telegram Bot API: %s", redact(err.Error(), cfg.Token))
	}

	b.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok"))
	})
	b.mux.HandleFunc("GET /readyz", b.serveReady)
	b.observe(cfg.Metrics)
	if hookPath != "" {
		pattern := "POST " + hookPath
		if hookPath == "/" {
			pattern = "POST /{$}" // the root only, not every path
		}
		b.mux.HandleFunc(pattern, b.serveWebhook)
	}
	if pagePath != "" {
		b.mux.HandleFunc("GET "+pagePath+"{token}", b.servePage)
	}
	b.base, b.stop = context.WithCancel(context.Background())
	return b, nil
}

// newHTTPClient is the Bot API client's HTTP client. Every chat's lane may
// have a call in flight, all to one host: http.DefaultTransport keeps two
// idle connections per host, so under load each call beyond two would open
// (and TLS-handshake) a new connection and leave one in TIME_WAIT.
func newHTTPClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 512
	tr.MaxIdleConnsPerHost = 512
	tr.IdleConnTimeout = 90 * time.Second
	// The long poll waits up to pollTimeout; a bit more before giving up.
	return &http.Client{Transport: tr, Timeout: pollTimeout + 10*time.Second}
}

// wholeBodies sends each request body in one piece. go-telegram/bot
// streams its multipart bodies through a pipe, which net/http sends
// chunked, a write (a system call) for every field: most of the bot's CPU
// under load. A Bot API request is a few kilobytes, so it is read whole
// first and sent with its length.
type wholeBodies struct{ c *http.Client }

func (w wholeBodies) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody && req.ContentLength <= 0 {
		data, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		req.ContentLength = int64(len(data))
		req.Body = io.NopCloser(bytes.NewReader(data))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	}
	return w.c.Do(req)
}

// Username is the bot's @username (without the @).
func (b *Bot) Username() string { return b.me.Username }

// Handler serves the bot's HTTP routes: the webhook (in webhook mode),
// GET /healthz, and whatever was added with Handle.
func (b *Bot) Handler() http.Handler { return b.mux }

// Handle adds a route to the bot's HTTP server (a summary page, say),
// with net/http.ServeMux patterns. Call it before Run.
func (b *Bot) Handle(pattern string, h http.Handler) { b.mux.Handle(pattern, h) }

// Run takes updates until ctx ends (long polling, or the webhook when
// configured), then stops taking them, finishes those in flight (for up to
// ShutdownTimeout) and returns nil. It returns an error if it cannot start:
// the webhook cannot be registered, or the address is taken.
func (b *Bot) Run(ctx context.Context) error {
	defer b.stop()
	b.setCommands(ctx)

	var srv *http.Server
	serveErr := make(chan error, 1)
	if b.cfg.ListenAddr != "" {
		ln, err := net.Listen("tcp", b.cfg.ListenAddr)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", b.cfg.ListenAddr, err)
		}
		srv = &http.Server{
			Handler:           b.mux,
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      30 * time.Second,
			IdleTimeout:       2 * time.Minute,
			ErrorLog:          slog.NewLogLogger(b.log.Handler(), slog.LevelWarn),
		}
		go func() { serveErr <- srv.Serve(ln) }()
		if b.listening != nil {
			b.listening(ln.Addr())
		}
	}

	mode := "polling"
	var polling chan struct{}
	stopPolling := func() {}
	if b.cfg.WebhookURL != "" {
		mode = "webhook"
		// The server listens first: Telegram sends updates at once.
		err := b.out.do(ctx, 0, "setWebhook", false, func(ctx context.Context) error {
			_, err := b.api.SetWebhook(ctx, &tgbot.SetWebhookParams{URL: b.cfg.WebhookURL, SecretToken: b.cfg.WebhookSecret, AllowedUpdates: allowedUpdates})
			return err
		})
		if err != nil && ctx.Err() == nil {
			b.shutdown(srv)
			return fmt.Errorf("register the webhook with Telegram: %s", errClass(err))
		}
	} else {
		// A webhook left by an earlier webhook deployment makes getUpdates
		// fail; the pending updates are kept.
		err := b.out.do(ctx, 0, "deleteWebhook", false, func(ctx context.Context) error {
			_, err := b.api.DeleteWebhook(ctx, &tgbot.DeleteWebhookParams{})
			return err
		})
		if err != nil && ctx.Err() == nil {
			b.shutdown(srv)
			return fmt.Errorf("remove the webhook for long polling: %s", errClass(err))
		}
		pctx, cancel := context.WithCancel(ctx)
		defer cancel()
		stopPolling = cancel
		polling = make(chan struct{})
		go func() { b.poll(pctx); close(polling) }()
	}
	b.log.Info("bot started", "mode", mode, "bot", b.me.Username, "listen", b.cfg.ListenAddr)
	reminding, paying := make(chan struct{}), make(chan struct{})
	rctx, stopReminding := context.WithCancel(ctx)
	defer stopReminding()
	if b.cfg.Reminders != nil {
		go func() { every(rctx, b.cfg.RemindEvery, defaultRemindEvery, b.SendReminders); close(reminding) }()
	} else {
		close(reminding)
	}
	if b.cfg.Outbox != nil {
		go func() { every(rctx, b.cfg.OutboxEvery, defaultOutboxEvery, b.PayDebts); close(paying) }()
	} else {
		close(paying)
	}

	var err error
	select {
	case <-ctx.Done():
	case err = <-serveErr:
		err = fmt.Errorf("http server: %w", err)
	}
	b.log.Info("stopping: no new updates; finishing those in flight")
	// The poller stops when the server failed too, not only on ctx.
	stopPolling()
	if polling != nil {
		<-polling
	}
	stopReminding()
	<-reminding // before the lanes close
	<-paying
	dctx, cancel := context.WithTimeout(context.Background(), b.cfg.ShutdownTimeout)
	defer cancel()
	// The server stops listening at once; webhook requests in progress are
	// answered as their updates are applied, meanwhile.
	served := make(chan struct{})
	go func() { b.shutdownWithin(dctx, srv); close(served) }()
	if derr := b.lanes.close(dctx); derr != nil {
		b.log.Warn("stopped before every update in flight was finished", "class", errClass(derr))
	}
	// Grace over: requests still waiting are answered 503 (delivered again).
	b.stop()
	// Updates cut short now record the replies they owe (outbox.go) while
	// the store is still open: a moment more.
	octx, ocancel := context.WithTimeout(context.Background(), oweTimeout+time.Second)
	_ = b.lanes.close(octx)
	ocancel()
	select {
	case <-served:
	case <-time.After(time.Second):
	}
	b.log.Info("stopped")
	return err
}

// shutdown stops the HTTP server, letting requests in progress finish.
func (b *Bot) shutdown(srv *http.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b.shutdownWithin(ctx, srv)
}

// shutdownWithin stops the HTTP server, letting requests in progress
// finish until ctx ends.
func (b *Bot) shutdownWithin(ctx context.Context, srv *http.Server) {
	if srv == nil {
		return
	}
	if err := srv.Shutdown(ctx); err != nil {
		b.log.Warn("http server shutdown", "class", errClass(err))
	}
}

// setCommands registers the command menu in English (the default) and
// Chinese. It is a nicety: failures are logged, never fatal.
func (b *Bot) setCommands(ctx context.Context) {
	for _, v := range []struct{ lang, code string }{{render.EN, ""}, {render.EN, "en"}, {render.ZH, "zh"}} {
		var cmds []models.BotCommand
		for _, name := range menuCommands {
			desc, err := b.cfg.Renderer.T(v.lang, "bot.cmd."+name, nil)
			if err != nil {
				b.log.Warn("command description missing", "command", name, "lang", v.lang)
				continue
			}
			cmds = append(cmds, models.BotCommand{Command: name, Description: desc})
		}
		err := b.out.do(ctx, 0, "setMyCommands", false, func(ctx context.Context) error {
			_, err := b.api.SetMyCommands(ctx, &tgbot.SetMyCommandsParams{Commands: cmds, LanguageCode: v.code})
			return err
		})
		if err != nil {
			b.log.Warn("could not register the command menu", "lang", v.code, "class", errClass(err))
		}
	}
}

// clientError logs go-telegram/bot's own errors (the polling loop's).
func (b *Bot) clientError(err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	b.log.Warn("telegram client error", "class", errClass(err))
}

// tag names a chat in logs: a keyed hash, stable for one bot token, that
// lets an operator follow a chat without logging who it is.
func (b *Bot) tag(chat int64) string {
	m := hmac.New(sha256.New, b.tagKey)
	m.Write([]byte(strconv.FormatInt(chat, 10)))
	return hex.EncodeToString(m.Sum(nil)[:6])
}

// redact removes the token from a message, should a URL carry it.
func redact(msg, token string) string {
	if token == "" {
		return msg
	}
	return strings.ReplaceAll(msg, token, "<token>")
}

// sessionKey is the store key of a chat's session.
func sessionKey(chat int64) string { return "tg:" + strconv.FormatInt(chat, 10) }
