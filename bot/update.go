package bot

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"

	"github.com/disputebot/disputebot/internal/advisor"
	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/render"
	"github.com/disputebot/disputebot/internal/store"
)

// maxInput bounds the text of one message the bot looks at. Telegram sends
// at most 4096 characters; anything longer (another Bot API server, a forged
// webhook call) is cut rather than refused. The engine and the classifier
// apply their own, smaller limits.
const maxInput = 4096

// accept queues an update on its chat's lane. It returns false only when
// the bot is shutting down, so a webhook can ask Telegram to deliver the
// update again later (to this process after a restart, or another replica).
func (b *Bot) accept(u *models.Update) bool {
	_, ok := b.enqueue(u)
	return ok
}

// enqueue is accept that also returns a channel closed once the update has
// been applied (its step saved) or done with, for the webhook's answer.
func (b *Bot) enqueue(u *models.Update) (<-chan struct{}, bool) {
	if !b.seen.add(u.ID) {
		// Delivered twice to this process (a webhook retry): the first
		// delivery is handled or being handled. Redeliveries to another
		// replica are caught by the engine, which records update ids.
		b.log.Debug("update delivered again; dropped", "update", u.ID)
		b.metrics.Duplicate("process")
		b.done(u.ID)
		return b.acks.wait(u.ID), true
	}
	chat := chatOf(u)
	if chat == 0 {
		b.log.Debug("update ignored", "update", u.ID)
		b.done(u.ID)
		return closedCh, true
	}
	applied := b.acks.add(u.ID)
	switch err := b.lanes.run(chat, func() { b.process(u, chat) }); {
	case errors.Is(err, errClosed):
		b.acks.release(u.ID)
		b.seen.remove(u.ID)
		return nil, false
	case err != nil:
		// The lane is full (a flood, or a client gone wild): the update is
		// dropped, and the user told once per burst, after what is queued.
		b.log.Warn("chat sends too fast; update dropped", "update", u.ID, "chat", b.tag(chat))
		b.acks.release(u.ID)
		b.lanes.overflow(chat, func() { b.tooFast(u, chat) })
		b.done(u.ID)
	}
	return applied, true
}

// tooFast tells a chat whose updates were dropped that it sends faster
// than the bot answers.
func (b *Bot) tooFast(u *models.Update, chat int64) {
	ctx, cancel := context.WithTimeout(withSlot(b.base, b.lanes), updateTimeout)
	defer cancel()
	// Not the dropped update's answer: it marks nothing in the session.
	t := &turn{b: b, update: u.ID, chat: chat, key: sessionKey(chat), hint: render.Lang(languageCode(u)), marked: true}
	defer func() {
		if r := recover(); r != nil {
			b.log.Error("panic telling a chat it sends too fast", "update", u.ID)
		}
	}()
	if err := t.sayKey(ctx, "bot.notice.too_fast"); err != nil && !errors.Is(err, errBlocked) {
		b.log.Info("could not tell a chat it sends too fast", "update", u.ID, "class", errClass(err))
	}
}

func (b *Bot) done(id int64) {
	if b.handled != nil {
		b.handled(id)
	}
}

// chatOf is the chat an update belongs to, 0 for updates the bot ignores.
func chatOf(u *models.Update) int64 {
	switch {
	case u.Message != nil:
		return u.Message.Chat.ID
	case u.EditedMessage != nil:
		return u.EditedMessage.Chat.ID
	case u.CallbackQuery != nil:
		q := u.CallbackQuery
		if m := q.Message.Message; m != nil {
			return m.Chat.ID
		}
		if m := q.Message.InaccessibleMessage; m != nil {
			return m.Chat.ID
		}
		if q.InlineMessageID == "" {
			return q.From.ID
		}
	case u.InlineQuery != nil && u.InlineQuery.From != nil:
		// An inline query comes from any chat the user types in; it is
		// queued on the lane of their private chat with the bot, whose id
		// is theirs, which bounds how fast one user can make the bot work.
		return u.InlineQuery.From.ID
	}
	return 0
}

// turn is the handling of one update.
type turn struct {
	b      *Bot
	update int64
	chat   int64
	key    string
	// hint is the user's language from Telegram, for a chat with no session
	// yet; lang is the session's once known.
	hint, lang string
	// kind and result describe the update for the log, without content.
	kind, result string
	// sess is the session after the last event handled, from which
	// replies that need more than the engine gives (drafts) are rendered.
	sess engine.Session
	// marked: the update id is recorded in the session (by a step that
	// saved, or by send), so a redelivery to any replica is a duplicate.
	marked bool
	// stepped: this turn saved a step, so its replies are owed until
	// delivered (outbox.go).
	stepped bool
}

// process handles one update on its chat's lane.
func (b *Bot) process(u *models.Update, chat int64) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(withSlot(asReply(b.base), b.lanes), updateTimeout)
	defer cancel()
	t := &turn{b: b, update: u.ID, chat: chat, key: sessionKey(chat), hint: render.Lang(languageCode(u)), result: "ok"}
	defer func() {
		if r := recover(); r != nil {
			b.log.Error("panic handling an update", "update", u.ID, "kind", t.kind, "panic", panicValue(r), "stack", string(debug.Stack()))
			t.result = "panic"
			t.apologise(ctx)
		}
		b.log.Info("update", "update", u.ID, "kind", t.kind, "chat", b.tag(chat), "ms", time.Since(start).Milliseconds(), "result", t.result)
		b.acks.release(u.ID)
		b.record(t.kind, t.result, time.Since(start))
		b.done(u.ID)
	}()
	var err error
	switch {
	case u.Message != nil:
		err = t.message(ctx, u.Message)
	case u.EditedMessage != nil:
		err = t.edited(ctx, u.EditedMessage)
	case u.CallbackQuery != nil:
		err = t.callback(ctx, u.CallbackQuery)
	case u.InlineQuery != nil:
		err = t.inline(ctx, u.InlineQuery)
	}
	if err != nil {
		if t.owe(ctx, err) {
			t.result = "owed"
			return
		}
		t.fail(ctx, err)
	}
}

// panicValue names a recovered panic for the log. The value may quote
// user text; only runtime errors, which never do, are logged as they are.
func panicValue(p any) string {
	if re, ok := p.(runtime.Error); ok {
		return re.Error()
	}
	return fmt.Sprintf("%T", p)
}

func languageCode(u *models.Update) string {
	switch {
	case u.Message != nil && u.Message.From != nil:
		return u.Message.From.LanguageCode
	case u.EditedMessage != nil && u.EditedMessage.From != nil:
		return u.EditedMessage.From.LanguageCode
	case u.CallbackQuery != nil:
		return u.CallbackQuery.From.LanguageCode
	case u.InlineQuery != nil && u.InlineQuery.From != nil:
		return u.InlineQuery.From.LanguageCode
	}
	return ""
}

// fail tells the user what went wrong, in words they can act on, and never
// says nothing: a dead store asks them to resend in a minute; anything else
// is an apology.
func (t *turn) fail(ctx context.Context, err error) {
	t.result = errClass(err)
	switch {
	case errors.Is(err, errBlocked), errors.Is(err, context.Canceled):
		return
	case errors.Is(err, errUnsure):
		// The message may be in the chat: an apology would be wrong, and
		// a second copy worse.
		t.result = "send_unsure"
		return
	case errors.Is(err, store.ErrUnavailable):
		t.result = "store_unavailable"
		t.b.log.Warn("session store unreachable", "update", t.update)
		lang := t.lang // not the session's: the store is what fails
		t.marked = true
		if lang == "" {
			lang = t.hint
		}
		if serr := t.send(ctx, lang, []outgoing{{text: t.tr(lang, "notice.store_down", nil)}}); serr != nil && !errors.Is(serr, errBlocked) {
			t.b.log.Error("could not tell the user the store is down", "update", t.update, "class", errClass(serr))
		}
		return
	case errors.Is(err, advisor.ErrBusy):
		t.result = "busy"
	case errors.As(err, new(renderError)):
		t.result = "render"
	}
	t.b.log.Error("update failed", "update", t.update, "kind", t.kind, "class", t.result)
	t.apologise(ctx)
}

// apologise sends the apology, falling back to fixed words should even the
// message file fail, so the user is never left without an answer.
func (t *turn) apologise(ctx context.Context) {
	lang := t.lang
	if lang == "" {
		lang = t.hint
	}
	text, err := t.b.cfg.Renderer.T(lang, "bot.notice.sorry", nil)
	if err != nil {
		text = "Sorry, something went wrong. Please try again. / 抱歉，出了点问题，请再试一次。"
	}
	if _, err := t.b.out.sendMessage(ctx, t.params(escape(text), nil)); err != nil && !errors.Is(err, errBlocked) {
		t.b.log.Error("could not apologise", "update", t.update, "class", errClass(err))
	}
}

// sessionLang returns the chat's language: the session's, or the hint for
// a chat without one. A store error falls back to the hint; the caller's
// own store access reports it.
func (t *turn) sessionLang(ctx context.Context) string {
	if t.lang != "" {
		return t.lang
	}
	if s, err := t.b.adv.Session(ctx, t.key); err == nil && s.Lang != "" {
		t.lang = s.Lang
		return s.Lang
	}
	return t.hint
}

// message handles a new message in any chat.
func (t *turn) message(ctx context.Context, m *models.Message) error {
	if m.Chat.Type != models.ChatTypePrivate {
		t.kind = "group"
		return t.group(ctx, m)
	}
	t.b.out.unblock(t.chat) // they write, so they can read
	if m.Text == "" {
		if !userContent(m) {
			t.kind, t.result = "service", "ignored"
			return nil
		}
		t.kind = "media"
		return t.show(ctx, "bot.notice.unsupported")
	}
	text := capRunes(m.Text, maxInput)
	if c, ok := parseCommand(text); ok {
		if c.to != "" && !equalFold(c.to, t.b.me.Username) {
			c.name = "" // meant for another bot
		}
		return t.command(ctx, c)
	}
	t.kind = "text"
	// What text means depends on where the chat stands: decided on the
	// session as loaded for the step, so it is read once.
	res, _, err := t.handleFunc(ctx, func(s engine.Session) engine.Event { return t.b.adv.TextEvent(s, text) })
	if err != nil || res.Duplicate {
		return err
	}
	// The event carries any notice about how the text was read ("tell me
	// more", "that fits two options"), which the engine says first.
	return t.reply(ctx, res.Session.Lang, res.Replies)
}

// userContent reports messages a person sent on purpose (a photo, a
// sticker, a voice note…), as opposed to service messages (a pin, a
// permission granted), which need no answer.
func userContent(m *models.Message) bool {
	return m.Photo != nil || m.Sticker != nil || m.Voice != nil || m.Video != nil || m.VideoNote != nil ||
		m.Audio != nil || m.Document != nil || m.Animation != nil || m.Location != nil || m.Venue != nil ||
		m.Contact != nil || m.Poll != nil || m.Dice != nil || m.Story != nil || m.Game != nil ||
		m.Checklist != nil || m.PaidMedia != nil
}

// edited answers an edited message: the bot reads new messages only, and
// says so rather than acting on a changed answer behind the user's back.
func (t *turn) edited(ctx context.Context, m *models.Message) error {
	t.kind = "edited"
	if m.Chat.Type != models.ChatTypePrivate {
		t.result = "ignored"
		return nil
	}
	return t.sayKey(ctx, "bot.notice.edited")
}

// group answers commands addressed to the bot in a group with a link to a
// private chat; everything else there is ignored. Cases hold personal
// details, which have no place in a group.
func (t *turn) group(ctx context.Context, m *models.Message) error {
	t.marked = true // no session for a group: its answers are not deduplicated
	c, ok := parseCommand(capRunes(m.Text, maxInput))
	toUs := ok && equalFold(c.to, t.b.me.Username)
	if !toUs && !(ok && c.name == "start" && c.to == "") {
		t.result = "ignored"
		return nil
	}
	link := "https://t.me/" + t.b.me.Username
	if c.name == "start" && validPayload(c.arg) {
		link += "?start=" + c.arg
	}
	return t.send(ctx, t.hint, []outgoing{{text: t.tr(t.hint, "bot.group.private", map[string]any{"Link": link})}})
}

// step applies an event and sends the replies, after the messages of
// preKeys (notices the bot adds: a welcome, "pick a topic").
func (t *turn) step(ctx context.Context, ev engine.Event, preKeys ...string) error {
	res, err := t.handle(ctx, ev)
	if err != nil {
		return err
	}
	if res.Duplicate {
		return nil
	}
	if res.Repeat {
		// Typed text read as the press another replica just applied:
		// show where the case stands rather than say nothing.
		return t.step(ctx, engine.Event{Kind: engine.Show}, preKeys...)
	}
	return t.reply(ctx, res.Session.Lang, res.Replies, preKeys...)
}

// handle applies ev through the advisor, marked with the update id so a
// redelivered update is applied once.
func (t *turn) handle(ctx context.Context, ev engine.Event) (engine.Result, error) {
	res, _, err := t.handleFunc(ctx, func(engine.Session) engine.Event { return ev })
	return res, err
}

// handleFunc is handle for an event decided on the loaded session
// (advisor.HandleFunc).
func (t *turn) handleFunc(ctx context.Context, event func(engine.Session) engine.Event) (engine.Result, engine.Event, error) {
	id := strconv.FormatInt(t.update, 10)
	res, ev, err := t.b.adv.HandleFunc(ctx, t.key, func(s engine.Session) engine.Event {
		ev := event(s)
		ev.ID = id
		if ev.Lang == "" {
			ev.Lang = t.hint
		}
		return ev
	})
	if err != nil {
		return res, ev, err
	}
	// Saved (or found applied before): the webhook may acknowledge it.
	t.b.acks.release(t.update)
	if res.Duplicate {
		t.result = "duplicate"
	}
	if res.Changed {
		t.marked, t.stepped = true, true
	}
	t.sess = res.Session
	t.lang = res.Session.Lang
	if t.lang == "" {
		t.lang = t.hint
	}
	return res, ev, nil
}

// show repeats where the chat stands, after the notice key.
func (t *turn) show(ctx context.Context, key string) error {
	return t.step(ctx, engine.Event{Kind: engine.Show}, key)
}

// sayKey sends one of the bot's messages in the chat's language.
func (t *turn) sayKey(ctx context.Context, key string) error {
	lang := t.sessionLang(ctx)
	return t.send(ctx, lang, []outgoing{{text: t.tr(lang, key, nil)}})
}

// tr localizes a key for an HTML message. The bot's messages are plain
// text, so the whole of it is escaped. A missing message panics: lint
// guarantees every key, so it is a bug, and process turns the panic into
// an apology.
func (t *turn) tr(lang, key string, data map[string]any) string {
	s, err := t.b.cfg.Renderer.T(lang, key, data)
	if err != nil {
		panic(renderError{err})
	}
	return escape(s)
}

// renderError marks a failure to render a message (a missing key).
type renderError struct{ err error }

func (e renderError) Error() string { return "render: " + e.err.Error() }
func (e renderError) Unwrap() error { return e.err }

func capRunes(s string, n int) string {
	if len(s) <= n || utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// errClosed and errFull are why a lane refused an update.
var (
	errClosed = errors.New("shutting down")
	errFull   = errors.New("chat queue full")
)

// recentIDs remembers the last update ids seen by this process.
type recentIDs struct {
	mu   sync.Mutex
	ids  map[int64]bool
	ring []int64
	next int
}

func newRecentIDs(n int) *recentIDs {
	return &recentIDs{ids: make(map[int64]bool, n), ring: make([]int64, n)}
}

// add records id and reports whether it is new.
func (r *recentIDs) add(id int64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ids[id] {
		return false
	}
	delete(r.ids, r.ring[r.next])
	r.ring[r.next] = id
	r.next = (r.next + 1) % len(r.ring)
	r.ids[id] = true
	return true
}

// remove forgets id, for an update that was refused and will come again.
func (r *recentIDs) remove(id int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.ids, id)
}
