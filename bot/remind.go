package bot

import (
	"context"
	"errors"
	"runtime/debug"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/disputebot/disputebot/internal/advisor"
	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/remind"
	"github.com/disputebot/disputebot/internal/render"
	"github.com/disputebot/disputebot/internal/store"
)

// Reminder buttons (callback data r:…):
//
//	r:on:<token>   "Remind me" under the outcome shown with this step token
//	r:done:<rule>  "Done" under a deadline's reminder: no more about it
//	r:show         "Show the case": the case summary
//	r:stop         "Stop reminders": delete them all
//	r:solved       the follow-up's "Solved": stop, glad to hear it
//	r:filed        the follow-up's "I filed with 12315": ask for the date
//
// Reminders are sent by every replica: each claims due ones with a lease
// (store.Reminders), sends them through the sender (paced, 429 waited
// out) on the chat's lane, and finishes the claim. A replica that dies
// mid-send leaves its claims to expire, and another sends them.
const (
	remOn     = "on"
	remDone   = "done"
	remShow   = "show"
	remStop   = "stop"
	remSolved = "solved"
	remFiled  = "filed"
)

// Sending reminders.
const (
	// remindLease is how long a claim keeps other replicas off a reminder.
	// A send is given at most half of it, so a claim never runs out while
	// its reminder is being sent (which would let another replica send it
	// again).
	remindLease = 5 * time.Minute
	remindBatch = 20
	// remindRetry is the wait before another try after a failed send,
	// multiplied by the tries so far.
	remindRetry = 10 * time.Minute
	// defaultRemindEvery is how often a replica looks for due reminders.
	defaultRemindEvery = 30 * time.Second
)

// parseRemindTap reads the part of r: callback data after "r:".
func parseRemindTap(rest string) (tap, bool) {
	act, v, _ := strings.Cut(rest, ":")
	t := tap{kind: 'r', value: act}
	switch act {
	case remOn:
		if !isToken(v) {
			return tap{}, false
		}
		t.token = v
	case remDone:
		if !isID(v) {
			return tap{}, false
		}
		t.token = v // the deadline rule
	case remShow, remStop, remSolved, remFiled:
		if strings.Contains(rest, ":") {
			return tap{}, false
		}
	default:
		return tap{}, false
	}
	return t, true
}

// remindRow is the "Remind me" button under an outcome that has a
// deadline ahead, when the bot keeps reminders.
func (t *turn) remindRow(lang string, a *engine.Advice) [][]models.InlineKeyboardButton {
	if t.b.cfg.Reminders == nil || !remind.HasFuture(t.key, a, t.b.cfg.Now()) {
		return nil
	}
	return [][]models.InlineKeyboardButton{{{Text: t.tr(lang, "remind.button.on", nil), CallbackData: "r:" + remOn + ":" + a.Token}}}
}

// remindCommand runs "/remind on|off".
func (t *turn) remindCommand(ctx context.Context, arg string) error {
	switch strings.ToLower(arg) {
	case "on":
		return t.remindOn(ctx, t.sessionLang(ctx))
	case "off":
		lang := t.sessionLang(ctx)
		if err := t.b.adv.RemindOff(ctx, t.key); err != nil && !errors.Is(err, advisor.ErrNoReminders) {
			return err
		}
		return t.send(ctx, lang, []outgoing{{text: t.tr(lang, "remind.off", nil)}})
	}
	return t.sayKey(ctx, "remind.usage")
}

func (t *turn) remindOn(ctx context.Context, lang string) error {
	rs, err := t.b.adv.RemindOn(ctx, t.key)
	if errors.Is(err, advisor.ErrNoReminders) || err == nil && len(rs) == 0 {
		return t.send(ctx, lang, []outgoing{{text: t.tr(lang, "remind.none", nil)}})
	}
	if err != nil {
		return err
	}
	t.result = "reminders_on"
	return t.send(ctx, lang, []outgoing{{text: t.tr(lang, "remind.on", map[string]any{"Next": render.When(lang, rs[0].At)})}})
}

// tapRemind runs an r: button.
func (t *turn) tapRemind(ctx context.Context, q *models.CallbackQuery, msg *models.Message, tp tap) error {
	s, lang, err := t.tapSession(ctx, q)
	if err != nil {
		return err
	}
	if t.b.cfg.Reminders == nil {
		t.result = "stale"
		t.ack(ctx, q, t.tr(lang, "bot.toast.stale", nil))
		return t.show(ctx, "notice.stale_button")
	}
	switch tp.value {
	case remOn:
		if tp.token != s.At || remind.Outcome(t.b.cfg.Catalog, s, t.b.cfg.Now()) == nil {
			t.result = "stale"
			t.ack(ctx, q, t.tr(lang, "bot.toast.stale", nil))
			return t.show(ctx, "notice.stale_button")
		}
		t.ack(ctx, q, "")
		return t.remindOn(ctx, lang)
	case remShow:
		t.ack(ctx, q, "")
		if _, ok := t.b.shared(s); !ok {
			return t.send(ctx, lang, []outgoing{{text: t.tr(lang, "remind.case_gone", nil)}})
		}
		return t.summary(ctx)
	case remFiled:
		t.ack(ctx, q, "")
		t.answered(ctx, msg, buttonText(msg, q.Data))
		return t.step(ctx, engine.Event{Kind: engine.Draft, Option: engine.FiledForm})
	}
	key := "remind.off"
	switch tp.value {
	case remDone:
		key = "remind.done"
		err = t.b.adv.RemindDone(ctx, t.key, tp.token)
	case remSolved:
		key = "remind.solved"
		err = t.b.adv.RemindOff(ctx, t.key)
	default:
		err = t.b.adv.RemindOff(ctx, t.key)
	}
	if err != nil {
		t.ack(ctx, q, "")
		return err
	}
	t.ack(ctx, q, "")
	t.answered(ctx, msg, buttonText(msg, q.Data))
	return t.send(ctx, lang, []outgoing{{text: t.tr(lang, key, nil)}})
}

// SendReminders claims the reminders due now and sends them, and returns
// how many were sent. Run calls it every RemindEvery; tests call it after
// moving their clock. Outside the sending hours (China time) it sends
// nothing: what is due waits for the morning.
func (b *Bot) SendReminders(ctx context.Context) int {
	if b.cfg.Reminders == nil {
		return 0
	}
	return b.work(ctx, queue{what: "reminder", store: b.cfg.Reminders, lease: remindLease, sendFor: remindLease / 2, batch: remindBatch,
		open:   remind.Awake,
		valid:  func(remind.Reminder) bool { return true },
		handle: b.sendReminder})
}

// sendReminder sends one claimed reminder and settles its claim: finished
// when sent or no longer wanted, put back for a later try when the send
// failed, all of the chat's deleted when the user blocked the bot.
func (b *Bot) sendReminder(c store.Claim, chat int64, now time.Time) (sent bool) {
	r := c.Reminder
	tag := b.tag(chat)
	sendCtx, cancel := context.WithTimeout(withSlot(b.base, b.lanes), remindLease/2)
	defer cancel()
	// The claim is settled even when the send used up its time or the
	// process is stopping: a reminder sent but not finished would be sent
	// again once its lease ran out.
	ctx, cancelSettle := context.WithTimeout(context.WithoutCancel(sendCtx), remindLease/2+oweTimeout)
	defer cancelSettle()
	defer func() {
		if p := recover(); p != nil {
			b.log.Error("panic sending a reminder", "chat", tag, "panic", panicValue(p), "stack", string(debug.Stack()))
			b.settle(c, b.cfg.Reminders.FinishReminder(ctx, c))
		}
	}()
	var sess *engine.Session
	switch s, err := b.cfg.Store.Get(sendCtx, r.Key); {
	case err == nil:
		sess = &s
	case !errors.Is(err, store.ErrNotFound):
		b.log.Warn("reminder postponed: session store unreachable", "chat", tag, "class", errClass(err))
		b.retry(ctx, c, now)
		return false
	}
	lang, ok := remind.Decide(b.cfg.Catalog, sess, r, now)
	if !ok {
		b.log.Info("reminder dropped: the case changed", "chat", tag, "kind", string(r.Kind), "rule", r.Rule)
		b.settle(c, b.cfg.Reminders.FinishReminder(ctx, c))
		return false
	}
	text, err := b.cfg.Renderer.Reminder(lang, remind.AsOf(r, now), render.HTML)
	if err != nil {
		b.log.Error("reminder dropped: cannot render it", "chat", tag, "kind", string(r.Kind), "rule", r.Rule)
		b.settle(c, b.cfg.Reminders.FinishReminder(ctx, c))
		return false
	}
	t := &turn{b: b, chat: chat, key: r.Key, lang: lang}
	_, err = b.out.sendMessage(sendCtx, t.params(text, t.reminderKeyboard(lang, r)))
	switch {
	case err == nil:
		b.log.Info("reminder sent", "chat", tag, "kind", string(r.Kind), "rule", r.Rule)
		b.settle(c, b.cfg.Reminders.FinishReminder(ctx, c))
		return true
	case errors.Is(err, errBlocked):
		// They blocked the bot: no more reminders, rather than trying
		// again and again. Unblocking and /remind on brings them back.
		b.log.Info("chat blocked the bot; its reminders are deleted", "chat", tag)
		if err := b.cfg.Reminders.SetReminders(ctx, r.Key, nil); err != nil {
			b.log.Warn("could not delete a blocked chat's reminders", "chat", tag, "class", errClass(err))
		}
		return false
	}
	b.log.Warn("reminder not sent", "chat", tag, "class", errClass(err), "tries", r.Tries+1)
	b.retry(ctx, c, now)
	return false
}

// retry puts a reminder back for a later try, or gives it up after
// remind.MaxTries.
func (b *Bot) retry(ctx context.Context, c store.Claim, now time.Time) {
	if c.Reminder.Tries+1 >= remind.MaxTries {
		b.log.Warn("reminder given up after repeated failures", "chat", b.tag(remind.Chat(c.Reminder.Key)), "kind", string(c.Reminder.Kind))
		b.settle(c, b.cfg.Reminders.FinishReminder(ctx, c))
		return
	}
	at := remind.Daytime(now.Add(remindRetry * time.Duration(c.Reminder.Tries+1)))
	b.settle(c, b.cfg.Reminders.RetryReminder(ctx, c, at))
}

// reminderKeyboard: under a deadline's reminder, Done, Show the case and
// Stop; under the follow-up, the ways forward.
func (t *turn) reminderKeyboard(lang string, r remind.Reminder) [][]models.InlineKeyboardButton {
	btn := func(key, data string) models.InlineKeyboardButton {
		return models.InlineKeyboardButton{Text: t.tr(lang, key, nil), CallbackData: data}
	}
	show, stop := btn("remind.button.show", "r:"+remShow), btn("remind.button.stop", "r:"+remStop)
	if r.Kind == remind.FollowUp {
		return [][]models.InlineKeyboardButton{
			{btn("remind.button.solved", "r:"+remSolved)},
			{btn("remind.button.platform", "d:platform"), btn("remind.button.12315", "d:12315")},
			{btn("remind.button.filed", "r:"+remFiled)},
			{show, stop},
		}
	}
	return [][]models.InlineKeyboardButton{{btn("remind.button.done", "r:"+remDone+":"+r.Rule), show, stop}}
}
