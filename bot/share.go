package bot

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net/http"
	"strings"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/disputebot/disputebot/internal/advisor"
	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/render"
	"github.com/disputebot/disputebot/internal/store"
	"github.com/disputebot/disputebot/internal/summary"
)

// What leaves the user's hands is masked (summary.Build with shared set):
// the summary card (people forward it), the inline article, the link's
// page and the downloaded files (people forward files too). The user's
// phone, ID, passport, bank card and email stay in the chat only inside
// complaint drafts, which they send themselves and which 12315 needs with
// their real identity.

// actions are the buttons for what can be done with a case at its
// outcome; withSummary adds the summary itself (not under the summary).
// token is the outcome's (engine.Advice.Token): a button left on an older
// outcome is refused rather than acting on the case shown now.
func (t *turn) actions(lang string, withSummary bool, token string) [][]models.InlineKeyboardButton {
	btn := func(key, act string) models.InlineKeyboardButton {
		return models.InlineKeyboardButton{Text: t.tr(lang, key, nil), CallbackData: "s:" + token + ":" + act}
	}
	if withSummary {
		return [][]models.InlineKeyboardButton{
			{btn("bot.action.summary", actSummary), btn("bot.action.share", actShare)},
			{btn("bot.action.download", actDownload), btn("bot.action.drafts", actDrafts)},
			{btn("bot.action.filed", actFiled)},
		}
	}
	return [][]models.InlineKeyboardButton{
		{btn("bot.action.share", actShare), btn("bot.action.download", actDownload)},
		{btn("bot.action.drafts", actDrafts), btn("bot.action.filed", actFiled)},
	}
}

// other is the language a page or file shows second.
func other(lang string) string {
	if lang == render.ZH {
		return render.EN
	}
	return render.ZH
}

// shared is the masked summary of s, or false before an outcome.
func (b *Bot) shared(s engine.Session) (*summary.Summary, bool) {
	return summary.Build(b.cfg.Catalog, caseOf(s), b.cfg.Now(), true)
}

// caseOf is s as its summary sees it. Details being asked for a complaint
// draft are no change of case, but engine.Current, which summary.Build
// reads the outcome from, shows the detail's question instead.
func caseOf(s engine.Session) engine.Session {
	s.Form = nil
	return s
}

// link is the summary page's address for token, "" without a PublicURL.
func (b *Bot) link(token string) string {
	if b.cfg.PublicURL == "" || token == "" {
		return ""
	}
	return b.cfg.PublicURL + "/s/" + token
}

// summaryCard is the default SummaryFunc: the masked summary card, with
// the case's link once it has been shared; before an outcome, a note that
// there is nothing to summarise yet.
func (b *Bot) summaryCard(_ context.Context, _ string, s engine.Session, lang string) ([]render.Message, error) {
	sum, ok := b.shared(s)
	if !ok {
		text, err := b.cfg.Renderer.T(lang, "summary.not_ready", nil)
		return []render.Message{{Text: escape(text)}}, err
	}
	card, err := b.cfg.Renderer.Summary(lang, sum, render.HTML)
	if err != nil {
		return nil, err
	}
	if l := b.link(s.Share); l != "" {
		line, err := b.cfg.Renderer.T(lang, "bot.share.link", map[string]any{"URL": l})
		if err != nil {
			return nil, err
		}
		card += "\n\n" + escape(line)
	}
	return []render.Message{{Text: card}}, nil
}

// tapAction runs an s: button: the summary, sharing, download or the
// draft menu, for the case as it stands. Before an outcome (a button left
// from an earlier case) it changes nothing: a toast, the note that there
// is no summary yet, and where the chat stands.
func (t *turn) tapAction(ctx context.Context, q *models.CallbackQuery, token, act string) error {
	s, lang, err := t.tapSession(ctx, q)
	if err != nil {
		return err
	}
	sum, ok := t.b.shared(s)
	if !ok || token != s.At {
		t.result = "stale"
		t.ack(ctx, q, t.tr(lang, "bot.toast.stale", nil))
		if !ok {
			return t.show(ctx, "summary.not_ready")
		}
		return t.show(ctx, "notice.stale_button")
	}
	t.ack(ctx, q, "")
	if part, ok := sectionOf(act); ok {
		return t.section(ctx, lang, s, part)
	}
	switch act {
	case actSummary:
		return t.summary(ctx)
	case actShare:
		return t.share(ctx, lang)
	case actDownload:
		return t.download(ctx, lang, sum)
	case actFiled:
		return t.step(ctx, engine.Event{Kind: engine.Draft, Option: engine.FiledForm})
	default:
		return t.draftMenu(ctx, lang)
	}
}

// section sends one part of the advice on screen (all laws, all steps,
// all deadlines, "if the merchant says…"), which the brief leaves out. It
// changes nothing, so a repeated tap just sends it again.
func (t *turn) section(ctx context.Context, lang string, s engine.Session, part string) error {
	var a *engine.Advice
	for _, rep := range engine.Current(t.b.cfg.Catalog, caseOf(s), t.b.cfg.Now()) {
		if rep.Advice != nil {
			a = rep.Advice
		}
	}
	if a == nil || !render.Has(a, part) {
		return t.show(ctx, "notice.stale_button")
	}
	text, err := t.b.cfg.Renderer.Section(lang, a, part, render.HTML)
	if err != nil {
		return renderError{err}
	}
	return t.send(ctx, lang, []outgoing{{text: text}})
}

// summary sends the case summary (/summary, the Summary button), with the
// actions under it once there is an outcome.
func (t *turn) summary(ctx context.Context) error {
	s, err := t.b.adv.Session(ctx, t.key)
	if err != nil {
		return err
	}
	lang := s.Lang
	if lang == "" {
		lang = t.hint
	}
	t.lang = lang
	msgs, err := t.b.summary(ctx, t.key, s, lang)
	if err != nil {
		return renderError{err}
	}
	out := make([]outgoing, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, outgoing{text: m.Text, keyboard: t.keyboard(m.Buttons)})
	}
	if _, ok := t.b.shared(s); ok && len(out) > 0 && len(out[len(out)-1].keyboard) == 0 {
		out[len(out)-1].keyboard = t.actions(lang, false, s.At)
	}
	return t.send(ctx, lang, out)
}

// errNoOutcome: a case without an outcome has no summary to share.
var errNoOutcome = errors.New("no outcome to share")

// shareToken returns the case's share token, making one on first use: it
// is saved in the session with a compare-and-set (a concurrent change is
// re-read, never overwritten) and the link is (re)stored, which also
// renews its expiry to the session's. Saving the session first means a
// failure in between leaves no link to a token the session does not hold.
func (b *Bot) shareToken(ctx context.Context, key string) (string, error) {
	for range 20 {
		s, err := b.cfg.Store.Get(ctx, key)
		if errors.Is(err, store.ErrNotFound) {
			return "", errNoOutcome
		}
		if err != nil {
			return "", fmt.Errorf("load session: %w", err)
		}
		if _, ok := b.shared(s); !ok {
			return "", errNoOutcome
		}
		if s.Share == "" {
			if s.Share, err = summary.NewToken(); err != nil {
				return "", fmt.Errorf("share token: %w", err)
			}
			_, err := b.cfg.Store.Put(ctx, key, s)
			// Saved around the advisor: its cached copy is a version behind.
			b.adv.Cache.Drop(key)
			if errors.Is(err, store.ErrConflict) {
				continue
			} else if err != nil {
				return "", fmt.Errorf("save share token: %w", err)
			}
		}
		if err := b.cfg.Store.PutLink(ctx, s.Share, key); err != nil {
			return "", fmt.Errorf("save share link: %w", err)
		}
		return s.Share, nil
	}
	return "", advisor.ErrBusy
}

// share offers the summary for posting into another chat: a button that
// opens inline mode with the case's token (answered by inline), and the
// read-only link when there is a PublicURL.
func (t *turn) share(ctx context.Context, lang string) error {
	token, err := t.b.shareToken(ctx, t.key)
	if errors.Is(err, errNoOutcome) {
		return t.send(ctx, lang, []outgoing{{text: t.tr(lang, "summary.not_ready", nil)}})
	}
	if err != nil {
		return err
	}
	text := t.tr(lang, "bot.share.intro", nil)
	if l := t.b.link(token); l != "" {
		text += "\n\n" + t.tr(lang, "bot.share.link", map[string]any{"URL": l})
	}
	kb := [][]models.InlineKeyboardButton{{{Text: t.tr(lang, "bot.share.button", nil), SwitchInlineQuery: token}}}
	err = t.send(ctx, lang, []outgoing{{text: text, keyboard: kb}})
	if errors.Is(err, tgbot.ErrorBadRequest) {
		// Telegram refuses the button when the bot's inline mode is off
		// (@BotFather, /setinline): the text, and the card to forward.
		t.b.log.Warn("share button refused; is inline mode enabled with @BotFather /setinline?", "update", t.update, "class", errClass(err))
		if err := t.send(ctx, lang, []outgoing{{text: text}}); err != nil {
			return err
		}
		return t.summary(ctx)
	}
	return err
}

// download sends the masked summary as two files: a printable HTML page in
// the user's language and the other, and the same as plain text.
func (t *turn) download(ctx context.Context, lang string, sum *summary.Summary) error {
	r := t.b.cfg.Renderer
	langs := []string{lang, other(lang)}
	page, err := r.Page(langs, sum)
	if err != nil {
		return renderError{err}
	}
	var txt strings.Builder
	for i, l := range langs {
		s, err := r.Summary(l, sum, render.Plain)
		if err != nil {
			return renderError{err}
		}
		if i > 0 {
			txt.WriteString("\n\n" + strings.Repeat("—", 24) + "\n\n")
		}
		txt.WriteString(s)
	}
	txt.WriteString("\n")
	name := "case-summary-" + t.b.cfg.Now().In(engine.China).Format(engine.DateLayout)
	if err := t.b.out.sendDocument(ctx, t.chat, name+".html", []byte(page), t.tr(lang, "bot.download.html", nil)); err != nil {
		return err
	}
	return t.b.out.sendDocument(ctx, t.chat, name+".txt", []byte(txt.String()), t.tr(lang, "bot.download.txt", nil))
}

// inlineCache is how long Telegram may keep an inline answer for the user
// who asked (answers are personal). Short, so ticks and /forget show at
// once; a user pastes a token once, not letter by letter.
const inlineCache = 5

// inline answers an inline query. A query that is the live share token of
// the asking user's own case gets its masked summary as articles (in their
// language, then the other); anything else (another user's token, an
// expired or revoked one, any other text) gets no results and a button to
// the bot. Errors are answered the same way and logged: the user is
// typing in another chat, where the bot cannot write to them.
func (t *turn) inline(ctx context.Context, q *models.InlineQuery) error {
	t.kind = "inline"
	lang := t.hint
	results, lang, err := t.b.inlineResults(ctx, q, lang)
	if err != nil {
		t.result = errClass(err)
		if errors.Is(err, store.ErrUnavailable) {
			t.result = "store_unavailable"
		}
		t.b.log.Warn("inline query not answered with a summary", "update", t.update, "class", t.result)
	}
	p := &tgbot.AnswerInlineQueryParams{InlineQueryID: q.ID, Results: results, CacheTime: inlineCache, IsPersonal: true}
	if len(results) == 0 {
		if t.result == "ok" {
			t.result = "none"
		}
		p.Results = []models.InlineQueryResult{}
		p.Button = &models.InlineQueryResultsButton{Text: t.tr(lang, "bot.inline.none", nil), StartParameter: startSummary}
	}
	if err := t.b.out.answerInlineQuery(ctx, p); err != nil {
		t.b.log.Info("could not answer an inline query", "update", t.update, "class", errClass(err))
	}
	return nil
}

// inlineResults finds the articles for an inline query, and the language
// of the button shown with none.
func (b *Bot) inlineResults(ctx context.Context, q *models.InlineQuery, lang string) ([]models.InlineQueryResult, string, error) {
	token := strings.TrimSpace(q.Query)
	if !validShareToken(token) {
		return nil, lang, nil
	}
	key, err := b.cfg.Store.GetLink(ctx, token)
	if errors.Is(err, store.ErrNotFound) {
		return nil, lang, nil
	}
	if err != nil {
		return nil, lang, err
	}
	if key != sessionKey(q.From.ID) {
		// Someone else's token: a forwarded button, a guess. Their case
		// is theirs to post.
		return nil, lang, nil
	}
	s, err := b.cfg.Store.Get(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, lang, nil
	}
	if err != nil {
		return nil, lang, err
	}
	if s.Lang != "" {
		lang = s.Lang
	}
	sum, ok := b.shared(s)
	if s.Share != token || !ok {
		return nil, lang, nil // revoked by a new case
	}
	var out []models.InlineQueryResult
	for _, l := range []string{lang, other(lang)} {
		a, err := b.article(l, sum, token)
		if err != nil {
			return nil, lang, renderError{err}
		}
		out = append(out, a)
	}
	return out, lang, nil
}

// article is the summary as an inline result in lang: the card, cut to
// fit one message when needed (the link then leads to the whole), with
// the link when there is a PublicURL.
func (b *Bot) article(lang string, sum *summary.Summary, token string) (*models.InlineQueryResultArticle, error) {
	r := b.cfg.Renderer
	card, err := r.Summary(lang, sum, render.HTML)
	if err != nil {
		return nil, err
	}
	var tail string
	if l := b.link(token); l != "" {
		line, err := r.T(lang, "bot.share.link", map[string]any{"URL": l})
		if err != nil {
			return nil, err
		}
		tail = "\n\n" + escape(line)
	}
	if utf16Len(card+tail) > maxMessage {
		card = split(card, maxMessage-utf16Len(tail)-2)[0] + "\n…"
	}
	cat, err := r.T(lang, "category."+sum.Category, nil)
	if err != nil {
		cat = ""
	}
	title, err := r.T(lang, "summary.heading", map[string]any{"Category": cat})
	if err != nil {
		return nil, err
	}
	desc, err := r.T(lang, "bot.inline.description", nil)
	if err != nil {
		return nil, err
	}
	return &models.InlineQueryResultArticle{ID: "summary-" + lang, Title: title, Description: desc,
		InputMessageContent: &models.InputTextMessageContent{MessageText: card + tail, ParseMode: models.ParseModeHTML, LinkPreviewOptions: noPreview}}, nil
}

// validShareToken: what summary.NewToken makes (16 bytes, URL-safe
// base64 without padding). Anything else is not looked up.
func validShareToken(s string) bool {
	if len(s) != 22 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// servePage answers GET /s/<token>: the case's masked summary as a
// printable page, while the token is the live share token of a case with
// an outcome. Anything else (malformed, unknown, expired, revoked by
// /forget or a new case) is the same plain 404, so a page tells nothing
// about which tokens exist.
func (b *Bot) servePage(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// Never indexed, cached, framed or leaked through a Referer; the page
	// needs nothing but its own inline style.
	h.Set("X-Robots-Tag", "noindex, nofollow")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	token := r.PathValue("token")
	page, err := b.page(r.Context(), token)
	switch {
	case errors.Is(err, store.ErrNotFound):
		notFound(w)
	case err != nil:
		b.log.Warn("summary page not served", "class", errClass(err))
		h.Set("Content-Type", "text/plain; charset=utf-8")
		h.Set("Retry-After", "60")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "Temporarily unavailable; please try again in a minute. / 暂时无法访问，请稍后再试。")
	default:
		h.Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(page))
	}
}

// page renders the page of token, or store.ErrNotFound.
func (b *Bot) page(ctx context.Context, token string) (string, error) {
	if !validShareToken(token) {
		return "", store.ErrNotFound
	}
	key, err := b.cfg.Store.GetLink(ctx, token)
	if err != nil {
		return "", err
	}
	s, err := b.cfg.Store.Get(ctx, key)
	if err != nil {
		return "", err
	}
	sum, ok := b.shared(s)
	if s.Share != token || !ok {
		return "", store.ErrNotFound
	}
	lang := render.Lang(s.Lang)
	return b.cfg.Renderer.Page([]string{lang, other(lang)}, sum)
}

func notFound(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	const msg = "This summary does not exist or has expired. / 此摘要不存在或已过期。"
	fmt.Fprintf(w, "<!doctype html>\n<html><head><meta charset=\"utf-8\"><meta name=\"robots\" content=\"noindex\"><title>404</title></head>\n<body><p>%s</p></body></html>\n", html.EscapeString(msg))
}

// tapSession loads the chat's session for a tap and settles the reply
// language; on a store failure the tap is answered (so the spinner stops)
// and the error goes up to be reported.
func (t *turn) tapSession(ctx context.Context, q *models.CallbackQuery) (engine.Session, string, error) {
	s, err := t.b.adv.Session(ctx, t.key)
	if err != nil {
		t.ack(ctx, q, "")
		return s, "", err
	}
	lang := s.Lang
	if lang == "" {
		lang = t.hint
	}
	t.lang = lang
	return s, lang, nil
}
