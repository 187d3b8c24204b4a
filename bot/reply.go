package bot

import (
	"context"
	"errors"
	"html"
	"slices"
	"sort"
	"strconv"
	"unicode/utf16"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/render"
)

// outgoing is one message to send: HTML text and an inline keyboard.
type outgoing struct {
	text     string
	keyboard [][]models.InlineKeyboardButton
}

// noPreview: links in advice (12315, a t.me link) must not unfold into
// cards that push the text off a phone's screen.
var noPreview = &models.LinkPreviewOptions{IsDisabled: tgbot.True()}

// reply renders the engine's replies (after the messages of preKeys) and
// sends them. Everything is rendered before anything is sent, so a render
// error gives an apology instead of half an answer.
func (t *turn) reply(ctx context.Context, lang string, reps []engine.Reply, preKeys ...string) error {
	var out []outgoing
	for _, k := range preKeys {
		out = append(out, outgoing{text: t.tr(lang, k, nil)})
	}
	for _, rep := range reps {
		if rep.Kind == engine.DraftReply {
			d, err := t.draft(lang, rep.Data["Channel"])
			if err != nil {
				return err
			}
			out = append(out, d...)
			continue
		}
		if rep.Kind == engine.OutcomeReply {
			// A phone shows one screen: the brief, with every other part
			// of the advice a tap away (s:<token>:<part> buttons).
			o, err := t.brief(lang, rep.Advice)
			if err != nil {
				return err
			}
			out = append(out, o)
		} else {
			m, err := t.b.cfg.Renderer.Render(lang, rep, render.HTML)
			if err != nil {
				return renderError{err}
			}
			out = append(out, outgoing{text: m.Text, keyboard: t.keyboard(m.Buttons)})
		}
		if rep.Kind == engine.OutcomeReply {
			// After the advice: the evidence checklist, and what can be
			// done with the case (summary, share, download, drafts).
			c, err := t.checklist(lang, rep.Advice)
			if err != nil {
				return err
			}
			out = append(out, c)
		}
	}
	return t.send(ctx, lang, out)
}

// brief is the first outcome message: one phone screen, with a button for
// each part of the advice it leaves out.
func (t *turn) brief(lang string, a *engine.Advice) (outgoing, error) {
	m, err := t.b.cfg.Renderer.Brief(lang, a, render.HTML)
	if err != nil {
		return outgoing{}, renderError{err}
	}
	more, err := t.b.cfg.Renderer.More(lang, a)
	if err != nil {
		return outgoing{}, renderError{err}
	}
	var kb [][]models.InlineKeyboardButton
	for i, mb := range more {
		btn := models.InlineKeyboardButton{Text: mb.Text, CallbackData: "s:" + a.Token + ":" + sectionActs[mb.Part]}
		if i%2 == 0 {
			kb = append(kb, []models.InlineKeyboardButton{btn})
		} else {
			kb[len(kb)-1] = append(kb[len(kb)-1], btn)
		}
	}
	return outgoing{text: m.Text, keyboard: kb}, nil
}

// checklist is the message sent after an outcome: the evidence items as
// buttons the user taps to tick what they have, then the case's actions.
// An outcome without evidence gets the actions alone.
func (t *turn) checklist(lang string, a *engine.Advice) (outgoing, error) {
	if len(a.Evidence) == 0 {
		return outgoing{text: t.tr(lang, "bot.actions.intro", nil), keyboard: append(t.actions(lang, true, a.Token), t.remindRow(lang, a)...)}, nil
	}
	rows, err := t.b.cfg.Renderer.ChecklistButtons(lang, a)
	if err != nil {
		return outgoing{}, renderError{err}
	}
	kb := append(t.keyboard(rows), t.actions(lang, true, a.Token)...)
	return outgoing{text: t.tr(lang, "bot.checklist.intro", nil), keyboard: append(kb, t.remindRow(lang, a)...)}, nil
}

// keyboard turns rendered buttons into an inline keyboard.
func (t *turn) keyboard(rows [][]render.Button) [][]models.InlineKeyboardButton {
	var kb [][]models.InlineKeyboardButton
	for _, row := range rows {
		var r []models.InlineKeyboardButton
		for _, b := range row {
			data, ok := encode(b.Event)
			if !ok {
				// Lint keeps callback data within 64 bytes; a button that
				// cannot be encoded is dropped rather than break the message.
				t.b.log.Error("button dropped: event cannot be callback data", "update", t.update, "event", string(b.Event.Kind))
				continue
			}
			r = append(r, models.InlineKeyboardButton{Text: b.Text, CallbackData: data})
		}
		if len(r) > 0 {
			kb = append(kb, r)
		}
	}
	return kb
}

// errNothingToSay guards the promise that every update gets an answer.
var errNothingToSay = errors.New("no message to send")

// send sends messages to the chat. Short messages in a row are joined (a
// notice and the question after it read as one, and cost one send against
// Telegram's limits); long ones are split. A keyboard goes on the last part
// of its message.
func (t *turn) send(ctx context.Context, lang string, out []outgoing) error {
	t.lang = lang
	if !t.first(ctx) {
		return nil
	}
	sent := false
	for _, o := range join(out, maxMessage) {
		parts := split(o.text, maxMessage)
		for i, part := range parts {
			var kb [][]models.InlineKeyboardButton
			if i == len(parts)-1 {
				kb = o.keyboard
			}
			if _, err := t.b.out.sendMessage(ctx, t.params(part, kb)); err != nil {
				return err
			}
			sent = true
		}
	}
	if !sent {
		return errNothingToSay
	}
	return nil
}

// first records the update as answered before its first message, unless a
// step already did, and reports whether this is its first delivery. An
// update that changes nothing (/help, /summary, a stale tap) is thus
// answered once even when Telegram delivers it again to another replica.
// A store error answers anyway: twice is better than not at all.
func (t *turn) first(ctx context.Context) bool {
	if t.marked {
		return true
	}
	t.marked = true
	res, err := t.b.adv.Handle(ctx, t.key, engine.Event{Kind: engine.Mark, ID: strconv.FormatInt(t.update, 10), Lang: t.hint})
	if err == nil {
		t.b.acks.release(t.update) // recorded: the webhook may acknowledge it
	}
	if err == nil && res.Duplicate {
		t.result = "duplicate"
		return false
	}
	return true
}

// join merges each message without a keyboard into the next while the
// result stays within limit.
func join(out []outgoing, limit int) []outgoing {
	var res []outgoing
	for _, o := range out {
		if n := len(res); n > 0 && len(res[n-1].keyboard) == 0 && utf16Len(res[n-1].text)+2+utf16Len(o.text) <= limit {
			res[n-1].text += "\n\n" + o.text
			res[n-1].keyboard = o.keyboard
			continue
		}
		res = append(res, o)
	}
	return res
}

func (t *turn) params(text string, kb [][]models.InlineKeyboardButton) *tgbot.SendMessageParams {
	p := &tgbot.SendMessageParams{ChatID: t.chat, Text: text, ParseMode: models.ParseModeHTML, LinkPreviewOptions: noPreview}
	if len(kb) > 0 {
		p.ReplyMarkup = &models.InlineKeyboardMarkup{InlineKeyboard: kb}
	}
	return p
}

// callback handles a button tap.
func (t *turn) callback(ctx context.Context, q *models.CallbackQuery) error {
	msg := q.Message.Message // nil when too old for the bot to see
	tp, ok := parseTap(q.Data)
	if !ok {
		t.kind, t.result = "callback:invalid", "refused"
		return t.refuse(ctx, q)
	}
	t.kind = "callback:" + string(tp.kind)
	switch tp.kind {
	case 's':
		return t.tapAction(ctx, q, tp.token, tp.value)
	case 'd':
		if tp.token == "zh" {
			return t.tapChineseDraft(ctx, q, msg, tp.value)
		}
	case 'l':
		return t.tapLang(ctx, q, msg, tp.value)
	case 'f':
		return t.tapForget(ctx, q, msg, tp.token, tp.value == "yes")
	case 'r':
		return t.tapRemind(ctx, q, msg, tp)
	}
	// A Back button's token is checked by the engine's Step against the
	// session it steps, inside the advisor's compare-and-set: a check here,
	// before the save, could pass on this replica while another applies a
	// fresh answer.
	res, err := t.handle(ctx, tp.event())
	if err != nil {
		t.ack(ctx, q, "")
		return err
	}
	if res.Duplicate {
		return nil // answered when first delivered
	}
	if res.Repeat {
		// A double tap on the button just applied: its answer is on
		// screen already.
		t.result = "repeat"
		t.ack(ctx, q, t.tr(t.lang, "bot.toast.repeat", nil))
		return nil
	}
	if stale(res) {
		t.result = "stale"
		t.ack(ctx, q, t.tr(t.lang, "bot.toast.stale", nil))
		return t.reply(ctx, t.lang, res.Replies)
	}
	t.ack(ctx, q, "")
	switch tp.kind {
	case 't':
		return t.ticked(ctx, msg, res)
	case 'b':
		t.answered(ctx, msg, "")
	default:
		t.answered(ctx, msg, buttonText(msg, q.Data))
	}
	return t.reply(ctx, t.lang, res.Replies)
}

// stale reports the engine refusing a tap on an outdated button.
func stale(res engine.Result) bool {
	return len(res.Replies) > 0 && res.Replies[0].Kind == engine.NoticeReply && res.Replies[0].Key == "notice.stale_button"
}

// refuse answers a tap that must not change anything (an outdated Back
// button, forged or malformed data): a toast, then where the chat stands.
func (t *turn) refuse(ctx context.Context, q *models.CallbackQuery) error {
	lang := t.sessionLang(ctx)
	t.ack(ctx, q, t.tr(lang, "bot.toast.stale", nil))
	return t.show(ctx, "notice.stale_button")
}

// ack answers the callback query, with a toast if text is set. Telegram
// shows a spinner on the button until it is answered.
func (t *turn) ack(ctx context.Context, q *models.CallbackQuery, text string) {
	err := t.b.out.answerCallback(ctx, t.chat, &tgbot.AnswerCallbackQueryParams{CallbackQueryID: q.ID, Text: html.UnescapeString(text)})
	if err != nil {
		t.b.log.Info("could not answer a button tap", "update", t.update, "class", errClass(err))
	}
}

// ticked updates the checklist's buttons in place after a tick.
func (t *turn) ticked(ctx context.Context, msg *models.Message, res engine.Result) error {
	i := slices.IndexFunc(res.Replies, func(r engine.Reply) bool { return r.Kind == engine.ChecklistReply })
	if i < 0 {
		return t.reply(ctx, t.lang, res.Replies)
	}
	c, err := t.checklist(t.lang, res.Replies[i].Advice)
	if err != nil {
		return err
	}
	if msg == nil {
		return t.send(ctx, t.lang, []outgoing{c})
	}
	err = t.b.out.editMessageReplyMarkup(ctx, &tgbot.EditMessageReplyMarkupParams{ChatID: t.chat, MessageID: msg.ID,
		ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: c.keyboard}})
	if err != nil && !notModified(err) {
		return err
	}
	return nil
}

// tapLang switches language from the /lang buttons.
func (t *turn) tapLang(ctx context.Context, q *models.CallbackQuery, msg *models.Message, lang string) error {
	res, err := t.handle(ctx, engine.Event{Kind: engine.SetLang, Lang: lang})
	if err != nil {
		t.ack(ctx, q, "")
		return err
	}
	if res.Duplicate {
		return nil
	}
	t.ack(ctx, q, "")
	t.answered(ctx, msg, buttonText(msg, q.Data))
	return t.reply(ctx, t.lang, res.Replies)
}

// tapForget deletes everything stored for the chat after the user
// confirmed, or keeps it. A Yes from a confirmation asked before the case
// moved on (or from before confirmations had a token) deletes nothing.
func (t *turn) tapForget(ctx context.Context, q *models.CallbackQuery, msg *models.Message, token string, yes bool) error {
	lang := t.sessionLang(ctx)
	if !yes {
		t.ack(ctx, q, "")
		t.answered(ctx, msg, buttonText(msg, q.Data))
		return t.show(ctx, "bot.forget.kept")
	}
	forgot := false
	if token != "" {
		var err error
		if forgot, err = t.b.adv.ForgetAt(ctx, t.key, token); err != nil {
			t.ack(ctx, q, "")
			return err
		}
	}
	if !forgot {
		t.result = "stale"
		t.ack(ctx, q, t.tr(lang, "bot.toast.stale", nil))
		t.answered(ctx, msg, "")
		return t.send(ctx, lang, []outgoing{{text: t.tr(lang, "bot.forget.stale", nil)}})
	}
	t.result = "forgotten"
	t.marked = true // marking now would store a session again
	t.forgetDebts(ctx)
	t.ack(ctx, q, "")
	t.answered(ctx, msg, buttonText(msg, q.Data))
	return t.send(ctx, lang, []outgoing{{text: t.tr(lang, "bot.forget.done", nil)}})
}

// answered edits a tapped message so the chat reads as a transcript: the
// chosen answer is appended ("→ answer") and the keyboard removed. A
// failure is logged only: the conversation goes on without it.
func (t *turn) answered(ctx context.Context, msg *models.Message, choice string) {
	if msg == nil {
		return
	}
	var err error
	text := entitiesHTML(msg.Text, msg.Entities)
	if suffix := "\n\n→ " + escape(choice); choice != "" && utf16Len(text+suffix) <= 4096 {
		// Without reply_markup, the edit removes the keyboard.
		err = t.b.out.editMessageText(ctx, &tgbot.EditMessageTextParams{ChatID: t.chat, MessageID: msg.ID,
			Text: text + suffix, ParseMode: models.ParseModeHTML, LinkPreviewOptions: noPreview})
	} else {
		err = t.b.out.editMessageReplyMarkup(ctx, &tgbot.EditMessageReplyMarkupParams{ChatID: t.chat, MessageID: msg.ID})
	}
	if err != nil && !notModified(err) {
		t.b.log.Info("could not mark a question answered", "update", t.update, "class", errClass(err))
	}
}

// buttonText is the label of the button with data on msg.
func buttonText(msg *models.Message, data string) string {
	if msg == nil || msg.ReplyMarkup == nil {
		return ""
	}
	for _, row := range msg.ReplyMarkup.InlineKeyboard {
		for _, b := range row {
			if b.CallbackData == data {
				return b.Text
			}
		}
	}
	return ""
}

func escape(s string) string { return html.EscapeString(s) }

// entityTags are the HTML tags of formatting entities. Others (links,
// mentions, commands) Telegram finds again in the plain text.
var entityTags = map[models.MessageEntityType]string{
	models.MessageEntityTypeBold: "b", models.MessageEntityTypeItalic: "i",
	models.MessageEntityTypeUnderline: "u", models.MessageEntityTypeStrikethrough: "s",
	models.MessageEntityTypeSpoiler: "tg-spoiler", models.MessageEntityTypeCode: "code",
	models.MessageEntityTypePre: "pre", models.MessageEntityTypeBlockquote: "blockquote",
	models.MessageEntityTypeExpandableBlockquote: "blockquote", models.MessageEntityTypeTextLink: "a",
}

// entitiesHTML rebuilds a message's HTML from the plain text and entities
// Telegram returns, so an edit keeps the original's formatting. Offsets are
// in UTF-16 units. Overlapping entities are closed and reopened around each
// other, as HTML requires proper nesting.
func entitiesHTML(text string, ents []models.MessageEntity) string {
	type span struct {
		start, end int
		open       string
		close      string
	}
	var spans []span
	for _, e := range ents {
		tag, ok := entityTags[e.Type]
		if !ok || e.Length <= 0 {
			continue
		}
		open := "<" + tag + ">"
		if e.Type == models.MessageEntityTypeTextLink {
			open = `<a href="` + escape(e.URL) + `">`
		}
		spans = append(spans, span{start: e.Offset, end: e.Offset + e.Length, open: open, close: "</" + tag + ">"})
	}
	sort.SliceStable(spans, func(i, j int) bool {
		if spans[i].start != spans[j].start {
			return spans[i].start < spans[j].start
		}
		return spans[i].end > spans[j].end
	})
	var out []byte
	var stack []span
	next := 0
	at := func(pos int) {
		// Close what ends here; entities opened inside one that ends are
		// closed first and reopened after.
		for {
			k := slices.IndexFunc(stack, func(s span) bool { return s.end <= pos })
			if k < 0 {
				break
			}
			reopen := slices.Clone(stack[k+1:])
			for i := len(stack) - 1; i >= k; i-- {
				out = append(out, stack[i].close...)
			}
			stack = stack[:k]
			for _, s := range reopen {
				if s.end > pos {
					out = append(out, s.open...)
					stack = append(stack, s)
				}
			}
		}
		for next < len(spans) && spans[next].start <= pos {
			out = append(out, spans[next].open...)
			stack = append(stack, spans[next])
			next++
		}
	}
	pos := 0
	for _, r := range text {
		at(pos)
		out = append(out, escape(string(r))...)
		pos += len(utf16.Encode([]rune{r}))
	}
	at(pos)
	for i := len(stack) - 1; i >= 0; i-- {
		out = append(out, stack[i].close...)
	}
	return string(out)
}
