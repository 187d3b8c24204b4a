package bot

// # Replies owed (the outbox)
//
// A step is saved (the advisor's compare-and-set) before its replies are
// sent, so a reply can be lost while the step is kept: Telegram failing
// past the sender's retries (5xx, 429s, timeouts), or the shutdown grace
// ending mid-send after a webhook already had its 200. What the user is
// owed then is where the case now stands, and that is in the saved
// session: the step's own compare-and-set stored the outbox's content.
// What the bot records on such a failure is only the debt: "chat K is owed
// the replies of update U", in Config.Outbox (a reminder-shaped queue with
// leases, store.Reminders). Every replica pays due debts: on the chat's
// lane, it reads the session and, if nothing happened in the chat since U
// (U is still the last update it applied), sends where the case stands,
// after a line saying the earlier reply did not get through. A chat that
// moved on got newer replies, which supersede the debt.
//
// A debt is written only when a delivery fails, not with every step, so
// the update path costs no extra round trip. The price: a process killed
// outright (SIGKILL, a crash) between the save and the debt leaves none,
// and the user sees the reply only at their next message. That window is
// the sending: milliseconds, or as long as the sender retries (429s:
// minutes).
//
// A chat may owe the replies of several updates (replicas handling its
// updates at once, each failing): each is a debt of its own, and paying
// voids all but the one the session last applied.

import (
	"cmp"
	"context"
	"errors"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	tgbot "github.com/go-telegram/bot"

	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/remind"
	"github.com/disputebot/disputebot/internal/store"
)

const (
	// debtKind and debtPrefix mark a debt (remind.Reminder fields): its
	// id is "reply:<update id>", one per chat, the latest step's.
	debtKind   remind.Kind = "reply"
	debtPrefix             = "reply:"
	// owedWait is how long after a failed delivery the debt is first
	// paid (Telegram given time to recover), multiplied by the tries.
	owedWait = 30 * time.Second
	// owedTries bounds the tries; a debt Telegram keeps refusing is
	// dropped (the user's next message shows where the case stands).
	owedTries = 6
	// owedLease keeps other replicas off a debt being paid. A payment is
	// given at most owedPayFor, and none starts later than owedPayFor
	// before its lease ends, so a lease never runs out mid-payment (which
	// would let another replica pay it again).
	owedLease  = 2 * time.Minute
	owedPayFor = 30 * time.Second
	owedBatch  = 10
	// owedKept bounds the debts one chat keeps (the newest).
	owedKept = 4
	// oweTimeout bounds writing a debt: it is written after the update's
	// own context may have ended (the shutdown grace).
	oweTimeout = 3 * time.Second
	// defaultOutboxEvery is how often a replica looks for debts due.
	defaultOutboxEvery = 5 * time.Second
)

// owable reports a delivery failure after which the replies are owed: the
// message was not delivered and may be later. A message that may have
// landed (errUnsure: the request went out, the answer did not come back)
// is not sent again in normal operation, where it most likely did land;
// but when the bot cut it short itself, shutting down, nothing says it
// did, and a repeat under "may not have got through" beats a reply lost.
// A blocked chat cannot be written to, and a refusal (400) or a render
// error would fail the same way again.
func owable(err error, shuttingDown bool) bool {
	var tmr *tgbot.TooManyRequestsError
	switch {
	case errors.Is(err, errUnsure):
		return shuttingDown
	case errors.Is(err, errBlocked), errors.Is(err, errNothingToSay),
		errors.As(err, new(renderError)), errors.Is(err, store.ErrUnavailable), knownFailure(err):
		return false
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded), errors.As(err, &tmr):
		return true
	}
	return retryable(err)
}

// owe records that this turn's replies are owed, when its step was saved
// and its delivery failed in a way a later one can mend. It reports
// whether the debt is recorded (the failure is then not the user's to
// hear about now: the debt's payment tells them).
func (t *turn) owe(ctx context.Context, err error) bool {
	if t.b.cfg.Outbox == nil || !t.stepped || !owable(err, t.b.base.Err() != nil) {
		return false
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), oweTimeout)
	defer cancel()
	due := t.b.cfg.Now().Add(owedWait)
	if t.b.base.Err() != nil {
		// Shutting down: another replica, or this one restarted, pays at
		// once.
		due = t.b.cfg.Now()
	}
	d := remind.Reminder{ID: debtPrefix + strconv.FormatInt(t.update, 10), Key: t.key, At: due, Lang: t.lang, Kind: debtKind}
	// Added to the chat's debts, never replacing them: another replica's
	// debt for a later update must survive this one.
	have, werr := t.b.cfg.Outbox.Reminders(wctx, t.key)
	if werr == nil {
		have = append(slices.DeleteFunc(have, func(r remind.Reminder) bool { return r.ID == d.ID }), d)
		if len(have) > owedKept {
			slices.SortFunc(have, func(a, b remind.Reminder) int { return cmp.Compare(debtUpdate(a), debtUpdate(b)) })
			have = have[len(have)-owedKept:]
		}
		werr = t.b.cfg.Outbox.SetReminders(wctx, t.key, have)
	}
	if werr != nil {
		t.b.log.Error("replies not delivered, and their debt could not be recorded", "update", t.update, "class", errClass(werr))
		return false
	}
	t.b.log.Warn("replies not delivered; owed to the chat", "update", t.update, "class", errClass(err))
	t.b.metrics.Owed("recorded")
	return true
}

// debtUpdate is the update id a debt is for.
func debtUpdate(r remind.Reminder) int64 {
	n, _ := strconv.ParseInt(strings.TrimPrefix(r.ID, debtPrefix), 10, 64)
	return n
}

// PayDebts claims the debts due now and pays them, and returns how many
// were delivered. Run calls it at start and every OutboxEvery; tests call
// it after moving their clock. Unlike reminders, debts are paid at any
// hour: they answer what the user just did.
func (b *Bot) PayDebts(ctx context.Context) int {
	if b.cfg.Outbox == nil {
		return 0
	}
	return b.work(ctx, queue{what: "owed reply", store: b.cfg.Outbox, lease: owedLease, sendFor: owedPayFor, batch: owedBatch,
		valid: func(r remind.Reminder) bool { return r.Kind == debtKind },
		handle: func(c store.Claim, chat int64, _ time.Time) bool {
			return b.payDebt(c, chat)
		}})
}

// payDebt pays one claimed debt and settles its claim.
func (b *Bot) payDebt(c store.Claim, chat int64) (paid bool) {
	r := c.Reminder
	tag := b.tag(chat)
	ctx, cancel := context.WithTimeout(withSlot(asReply(b.base), b.lanes), owedPayFor)
	defer cancel()
	// Settling outlives the payment's context (spent by a slow send, or
	// cancelled by a shutdown): a debt paid but not finished would be paid
	// again once its lease ran out.
	settleCtx := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.WithoutCancel(ctx), oweTimeout)
	}
	finish := func(result string) {
		b.metrics.Owed(result)
		sctx, cancel := settleCtx()
		defer cancel()
		b.settle(c, b.cfg.Outbox.FinishReminder(sctx, c))
	}
	retry := func() {
		sctx, cancel := settleCtx()
		defer cancel()
		b.retryDebt(sctx, c)
	}
	defer func() {
		if p := recover(); p != nil {
			b.log.Error("panic paying an owed reply", "chat", tag, "panic", panicValue(p), "stack", string(debug.Stack()))
			finish("dropped")
		}
	}()
	id := strings.TrimPrefix(r.ID, debtPrefix)
	s, err := b.cfg.Store.Get(ctx, r.Key)
	switch {
	case errors.Is(err, store.ErrNotFound):
		b.log.Info("owed reply void: the case is gone", "chat", tag)
		finish("void")
		return false
	case err != nil:
		// Not the debt's failure: no try is counted. The lease expires
		// and it is claimed again.
		if b.base.Err() == nil {
			b.log.Warn("owed reply postponed: session store unreachable", "chat", tag, "class", errClass(err))
		}
		return false
	case len(s.Recent) == 0 || s.Recent[len(s.Recent)-1] != id:
		// The chat moved on: newer replies showed where it stands.
		b.log.Info("owed reply void: the chat moved on", "chat", tag)
		finish("void")
		return false
	}
	lang := s.Lang
	if lang == "" {
		lang = r.Lang
	}
	update, _ := strconv.ParseInt(id, 10, 64)
	t := &turn{b: b, update: update, chat: chat, key: r.Key, lang: lang, hint: lang, sess: s, marked: true}
	err = t.reply(ctx, lang, engine.Current(b.cfg.Catalog, s, b.cfg.Now()), "bot.notice.owed")
	switch {
	case err == nil:
		b.log.Info("owed reply delivered", "chat", tag, "update", update, "tries", r.Tries+1)
		finish("paid")
		return true
	case !owable(err, b.base.Err() != nil):
		b.log.Warn("owed reply dropped", "chat", tag, "class", errClass(err))
		finish("dropped")
		return false
	}
	b.log.Warn("owed reply not delivered; trying later", "chat", tag, "class", errClass(err), "tries", r.Tries+1)
	retry()
	return false
}

// retryDebt puts a debt back for a later try, or drops it after owedTries.
func (b *Bot) retryDebt(ctx context.Context, c store.Claim) {
	if c.Reminder.Tries+1 >= owedTries {
		b.log.Warn("owed reply dropped after repeated failures", "chat", b.tag(remind.Chat(c.Reminder.Key)))
		b.metrics.Owed("dropped")
		b.settle(c, b.cfg.Outbox.FinishReminder(ctx, c))
		return
	}
	at := b.cfg.Now().Add(owedWait * time.Duration(c.Reminder.Tries+1))
	b.settle(c, b.cfg.Outbox.RetryReminder(ctx, c, at))
}

// forgetDebts deletes what the chat is owed, with its case (/forget).
func (t *turn) forgetDebts(ctx context.Context) {
	if t.b.cfg.Outbox == nil {
		return
	}
	if err := t.b.cfg.Outbox.SetReminders(ctx, t.key, nil); err != nil {
		t.b.log.Warn("could not delete a forgotten chat's owed replies", "class", errClass(err))
	}
}
