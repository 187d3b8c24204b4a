package bot

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/go-telegram/bot/models"
)

// poll is the long-polling loop: getUpdates from the last update seen on,
// each update queued (accept) in Telegram's order, until ctx ends. It
// replaces go-telegram/bot's Start, which spent about a third of the
// bot's CPU at 1,000 updates/s, when nearly every poll brings one update:
// the request built as a multipart form through a pipe and a goroutine,
// the answer decoded twice over (once to a raw result, then to updates),
// and each tapped message twice more (a probe of its date, then whole),
// by models.MaybeInaccessibleMessage. Here the body is a few bytes and
// the answer is decoded once (polledUpdate). Failures are go-telegram's
// too: logged by class (clientError), then retried after 100 ms, doubling
// to 5 s.
func (b *Bot) poll(ctx context.Context) {
	var offset, confirmed int64
	defer func() {
		// Telegram forgets updates when a poll asks for those after them:
		// one short poll confirms the last batch, so the next poller (this
		// bot after a restart) is not given updates queued here again (a
		// tap that changed nothing, an inline query: the session's ids
		// catch only those that saved a step).
		if offset > confirmed {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			defer cancel()
			if _, err := b.out.hot.getUpdates(cctx, offset, 0, 1); err != nil {
				b.clientError(fmt.Errorf("error confirm updates, %w", err))
			}
		}
	}()
	var wait time.Duration
	for sleepCtx(ctx, wait) == nil {
		updates, err := b.out.hot.getUpdates(ctx, offset, pollTimeout, 0)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			b.clientError(fmt.Errorf("error get updates, %w", err))
			wait = min(max(2*wait, 100*time.Millisecond), 5*time.Second)
			continue
		}
		wait, confirmed = 0, offset
		for _, u := range updates {
			if !b.accept(u) {
				// Shutting down: the offset stays before this update, and
				// with no poll after it Telegram gives it (and the rest of
				// the batch) to the next poller.
				return
			}
			offset = u.ID + 1
		}
	}
}

// getUpdates long-polls for the updates from offset on: Telegram holds the
// request up to a second less than timeout, and the request gives up 10 s
// after that (as the HTTP client does, newHTTPClient). limit 0 is
// Telegram's default, 100.
func (a *jsonAPI) getUpdates(ctx context.Context, offset int64, timeout time.Duration, limit int) ([]*models.Update, error) {
	body := make([]byte, 0, 128)
	body = append(body, `{"offset":`...)
	body = strconv.AppendInt(body, offset, 10)
	body = append(body, `,"timeout":`...)
	body = strconv.AppendInt(body, max(int64((timeout-time.Second)/time.Second), 0), 10)
	if limit > 0 {
		body = append(body, `,"limit":`...)
		body = strconv.AppendInt(body, int64(limit), 10)
	}
	body = append(body, `,"allowed_updates":`...)
	body = append(body, allowedUpdatesJSON...)
	body = append(body, '}')
	ctx, cancel := context.WithTimeout(ctx, timeout+10*time.Second)
	defer cancel()
	polled, err := callJSON[[]polledUpdate](ctx, a, "getUpdates", body)
	if err != nil {
		return nil, err
	}
	out := make([]*models.Update, len(polled))
	for i := range polled {
		out[i] = polled[i].update()
	}
	return out, nil
}

// allowedUpdatesJSON is allowedUpdates as getUpdates takes it.
var allowedUpdatesJSON = func() []byte {
	b := []byte{'['}
	for i, u := range allowedUpdates {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(b, u)
	}
	return append(b, ']')
}()

// polledUpdate is models.Update as far as the bot reads it: the kinds in
// allowedUpdates, with a tapped message decoded straight to a
// models.Message (see update).
type polledUpdate struct {
	ID            int64               `json:"update_id"`
	Message       *models.Message     `json:"message"`
	EditedMessage *models.Message     `json:"edited_message"`
	CallbackQuery *polledCallback     `json:"callback_query"`
	InlineQuery   *models.InlineQuery `json:"inline_query"`
}

// polledCallback is models.CallbackQuery with its message as a plain
// models.Message.
type polledCallback struct {
	ID              string          `json:"id"`
	From            models.User     `json:"from"`
	Message         *models.Message `json:"message"`
	InlineMessageID string          `json:"inline_message_id"`
	ChatInstance    string          `json:"chat_instance"`
	Data            string          `json:"data"`
	GameShortName   string          `json:"game_short_name"`
}

// update is p as go-telegram/bot would have decoded it. A tapped message
// dated 0 is one too old for the bot to see, an InaccessibleMessage,
// exactly as models.MaybeInaccessibleMessage tells them apart.
func (p *polledUpdate) update() *models.Update {
	u := &models.Update{ID: p.ID, Message: p.Message, EditedMessage: p.EditedMessage, InlineQuery: p.InlineQuery}
	if q := p.CallbackQuery; q != nil {
		cq := &models.CallbackQuery{ID: q.ID, From: q.From, InlineMessageID: q.InlineMessageID,
			ChatInstance: q.ChatInstance, Data: q.Data, GameShortName: q.GameShortName}
		switch m := q.Message; {
		case m == nil:
			// An inline message's button: no message, as go-telegram
			// leaves it (an empty MaybeInaccessibleMessage).
		case m.Date == 0:
			cq.Message.Type = models.MaybeInaccessibleMessageTypeInaccessibleMessage
			cq.Message.InaccessibleMessage = &models.InaccessibleMessage{Chat: m.Chat, MessageID: m.ID}
		default:
			cq.Message.Type = models.MaybeInaccessibleMessageTypeMessage
			cq.Message.Message = m
		}
		u.CallbackQuery = cq
	}
	return u
}
