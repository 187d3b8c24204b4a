package bot

import (
	"context"

	"github.com/go-telegram/bot/models"

	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/render"
	"github.com/disputebot/disputebot/internal/summary"
)

// draftMenu offers the three complaint drafts. A tap is the engine's Draft
// event, which asks for any detail the draft lacks before giving it.
func (t *turn) draftMenu(ctx context.Context, lang string) error {
	var kb [][]models.InlineKeyboardButton
	for _, ch := range engine.DraftChannels {
		kb = append(kb, []models.InlineKeyboardButton{{Text: t.tr(lang, "bot.draft."+ch, nil), CallbackData: "d:" + ch}})
	}
	return t.send(ctx, lang, []outgoing{{text: t.tr(lang, "bot.draft.pick", nil), keyboard: kb}})
}

// draft renders the engine's DraftReply: the text for channel from the
// private (unmasked) summary, which the user sends themself and which
// 12315 needs with their real identity, then where to send it. Outside
// Chinese, a button gives the Chinese version, which is what the merchant
// and 12315 read.
func (t *turn) draft(lang, channel string) ([]outgoing, error) {
	text, ok, err := t.draftText(t.sess, lang, channel)
	if err != nil {
		return nil, err
	}
	if !ok {
		return []outgoing{{text: t.tr(lang, "summary.not_ready", nil)}}, nil
	}
	hint := outgoing{text: t.tr(lang, "draft.channel_hint."+channel, nil)}
	if render.Lang(lang) != render.ZH {
		hint.keyboard = [][]models.InlineKeyboardButton{{{Text: t.tr(lang, "bot.draft.zh", nil), CallbackData: "d:zh:" + channel}}}
	}
	return []outgoing{{text: text}, hint}, nil
}

// draftText is the draft as a message: a <pre> block, which Telegram
// copies whole with a tap, ready to paste into a complaint form.
func (t *turn) draftText(s engine.Session, lang, channel string) (string, bool, error) {
	sum, ok := summary.Build(t.b.cfg.Catalog, caseOf(s), t.b.cfg.Now(), false)
	if !ok {
		return "", false, nil
	}
	d, err := t.b.cfg.Renderer.Draft(lang, channel, sum)
	if err != nil {
		return "", false, renderError{err}
	}
	return "<pre>" + escape(d) + "</pre>", true, nil
}

// tapChineseDraft sends the Chinese version of a draft. It changes nothing
// (another draft's questions stay open), so it needs no engine event, but
// only a case at its outcome with every detail of the channel has a
// draft: otherwise the button is outdated.
func (t *turn) tapChineseDraft(ctx context.Context, q *models.CallbackQuery, msg *models.Message, channel string) error {
	s, lang, err := t.tapSession(ctx, q)
	if err != nil {
		return err
	}
	complete := true
	for _, f := range engine.DraftFields[channel] {
		complete = complete && s.Facts[f] != ""
	}
	text, ok, err := t.draftText(s, render.ZH, channel)
	if err != nil {
		t.ack(ctx, q, "")
		return err
	}
	if !ok || !complete {
		t.result = "stale"
		return t.refuse(ctx, q)
	}
	t.ack(ctx, q, "")
	t.answered(ctx, msg, buttonText(msg, q.Data))
	return t.send(ctx, lang, []outgoing{{text: text}})
}
