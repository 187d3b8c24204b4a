package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http/httptrace"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// errBlocked: the user blocked the bot (Telegram answered 403); nothing is
// sent to the chat for a while.
var errBlocked = errors.New("chat blocked the bot")

// errUnsure: a message may or may not have reached the chat (the request
// went out, the answer did not come back). It is not sent again, which
// could show it twice, and the user is not told something went wrong,
// which it may not have.
var errUnsure = errors.New("message may have been delivered")

// onceMethods are the calls a retry would repeat rather than redo: a
// second sendMessage is a second message. Edits and answers are the same
// the second time (or refused as "not modified"), so they are retried.
var onceMethods = map[string]bool{"sendMessage": true, "sendDocument": true}

// Retry policy. A 429 is waited out as Telegram asks (retry_after) a few
// times; network errors and 5xx are retried with a doubling backoff, a
// bounded number of times, so a dead Telegram does not hold a chat forever.
const (
	maxTries      = 3
	max429        = 5
	firstBackoff  = 300 * time.Millisecond
	maxRetryAfter = time.Minute
	// blockedFor is how long a 403 stops sends to a chat. The user's next
	// message lifts it at once (they unblocked the bot to write).
	blockedFor = 10 * time.Minute
)

// sender is the one way out to Telegram: every call goes through do, which
// paces sends, retries what can be retried and remembers blocked chats.
type sender struct {
	api *tgbot.Bot
	// hot makes the calls of every update (messages, edits, answers to
	// taps) in JSON; api makes the others.
	hot   *jsonAPI
	log   *slog.Logger
	tag   func(chat int64) string
	limit *limiter
	now   func() time.Time
	// sleep waits d unless ctx ends first; tests replace it to skip waits.
	sleep func(ctx context.Context, d time.Duration) error

	mu      sync.Mutex
	blocked map[int64]time.Time

	metrics Metrics // nil: none
}

// now is the real clock: pacing and blocks are about real time, whatever
// clock the advisor is given.
func newSender(api *tgbot.Bot, hot *jsonAPI, log *slog.Logger, tag func(int64) string, limits Limits, now func() time.Time) *sender {
	return &sender{api: api, hot: hot, log: log, tag: tag, limit: newLimiter(limits, now), now: now, sleep: sleepCtx, blocked: map[int64]time.Time{}}
}

// wait is sleep, with the job's lane slot given up for a long wait.
func (s *sender) wait(ctx context.Context, d time.Duration) error {
	defer yieldSlot(ctx, d)()
	return s.sleep(ctx, d)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// paced says which calls count against the sending limits: messages and
// edits do; answering a callback query is not a message and must be quick.
// How a paced call is paced depends on its context: a reply to the user's
// own action (asReply) goes out at once, within Limits.Reply; anything
// else is the bot acting on its own and keeps to PerChat and Global.
type paced bool

// do runs call for chat with pacing and retries. chat 0 is a call not tied to
// a chat (setMyCommands, setWebhook).
func (s *sender) do(ctx context.Context, chat int64, method string, p paced, call func(context.Context) error) error {
	call = s.counted(method, call)
	if s.isBlocked(chat) {
		return errBlocked
	}
	reply := isReply(ctx)
	backoff := firstBackoff
	tries, waits := 0, 0
	retryNow := false // a 429 was just waited out: Telegram said when
	for {
		if bool(p) && !retryNow {
			if err := s.wait(ctx, s.limit.reserve(chat, reply)); err != nil {
				return err
			}
		}
		retryNow = false
		var wrote atomic.Bool
		err := call(httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{WroteRequest: func(i httptrace.WroteRequestInfo) {
			if i.Err == nil {
				wrote.Store(true)
			}
		}}))
		if err == nil {
			return nil
		}
		var tmr *tgbot.TooManyRequestsError
		switch {
		case onceMethods[method] && !errors.As(err, &tmr) && !errors.Is(err, tgbot.ErrorForbidden) && !notApplied(err, wrote.Load()):
			if !knownFailure(err) {
				s.log.Warn("telegram call may have been delivered; not repeated", "method", method, "class", errClass(err))
				return fmt.Errorf("%w: %w", errUnsure, err)
			}
			return err
		case errors.As(err, &tmr) && waits < max429:
			waits++
			d := min(max(time.Duration(tmr.RetryAfter)*time.Second, time.Second), maxRetryAfter)
			s.log.Info("telegram asks to slow down", "method", method, "retry_after_s", d.Seconds())
			// Learned for every send to the chat (and the bot's own sends
			// anywhere), not just for this one.
			s.limit.hold(chat, d)
			if err := s.wait(ctx, d); err != nil {
				return err
			}
			retryNow = true
		case errors.Is(err, tgbot.ErrorForbidden):
			if chat != 0 {
				s.block(chat)
			}
			s.log.Info("chat blocked the bot; not sending to it for a while", "method", method, "chat", s.tag(chat))
			return errBlocked
		case retryable(err) && tries+1 < maxTries && ctx.Err() == nil:
			tries++
			s.log.Warn("telegram call failed; retrying", "method", method, "class", errClass(err), "try", tries)
			if err := s.wait(ctx, backoff); err != nil {
				return err
			}
			backoff *= 2
		default:
			return err
		}
	}
}

func (s *sender) isBlocked(chat int64) bool {
	if chat == 0 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	until, ok := s.blocked[chat]
	if ok && !s.now().Before(until) {
		delete(s.blocked, chat)
		return false
	}
	return ok
}

func (s *sender) block(chat int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for id, until := range s.blocked {
		if !now.Before(until) {
			delete(s.blocked, id)
		}
	}
	s.blocked[chat] = now.Add(blockedFor)
}

// unblock lifts a block when the user writes again.
func (s *sender) unblock(chat int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.blocked, chat)
}

// The hot calls encode their params once, before the first try: a retry
// sends the same bytes. An encoding failure goes through do too, to be
// counted.

func (s *sender) sendMessage(ctx context.Context, p *tgbot.SendMessageParams) (*models.Message, error) {
	chat, _ := p.ChatID.(int64)
	body, encErr := encodeParams("sendMessage", p)
	var m *models.Message
	err := s.do(ctx, chat, "sendMessage", true, func(ctx context.Context) (err error) {
		if encErr != nil {
			return encErr
		}
		m, err = s.hot.sendMessage(ctx, body)
		return err
	})
	return m, err
}

func (s *sender) editMessageText(ctx context.Context, p *tgbot.EditMessageTextParams) error {
	chat, _ := p.ChatID.(int64)
	body, encErr := encodeParams("editMessageText", p)
	return s.do(ctx, chat, "editMessageText", true, func(ctx context.Context) error {
		if encErr != nil {
			return encErr
		}
		return s.hot.editMessageText(ctx, body)
	})
}

func (s *sender) editMessageReplyMarkup(ctx context.Context, p *tgbot.EditMessageReplyMarkupParams) error {
	chat, _ := p.ChatID.(int64)
	body, encErr := encodeParams("editMessageReplyMarkup", p)
	return s.do(ctx, chat, "editMessageReplyMarkup", true, func(ctx context.Context) error {
		if encErr != nil {
			return encErr
		}
		return s.hot.editMessageReplyMarkup(ctx, body)
	})
}

func (s *sender) answerCallback(ctx context.Context, chat int64, p *tgbot.AnswerCallbackQueryParams) error {
	body, encErr := encodeParams("answerCallbackQuery", p)
	return s.do(ctx, chat, "answerCallbackQuery", false, func(ctx context.Context) error {
		if encErr != nil {
			return encErr
		}
		return s.hot.answerCallbackQuery(ctx, body)
	})
}

// sendDocument uploads a file to a chat. The upload is built anew for each
// try, as a retry must send the whole file again.
func (s *sender) sendDocument(ctx context.Context, chat int64, name string, data []byte, caption string) error {
	return s.do(ctx, chat, "sendDocument", true, func(ctx context.Context) error {
		_, err := s.api.SendDocument(ctx, &tgbot.SendDocumentParams{ChatID: chat,
			Document: &models.InputFileUpload{Filename: name, Data: bytes.NewReader(data)},
			Caption:  caption, ParseMode: models.ParseModeHTML})
		return err
	})
}

// answerInlineQuery answers an inline query. It is not a message to a chat,
// so it is neither paced nor stopped by a block.
func (s *sender) answerInlineQuery(ctx context.Context, p *tgbot.AnswerInlineQueryParams) error {
	return s.do(ctx, 0, "answerInlineQuery", false, func(ctx context.Context) error {
		_, err := s.api.AnswerInlineQuery(ctx, p)
		return err
	})
}

// notApplied reports a failure after which the call is known not to have
// been carried out, so a retry cannot repeat it: the request never went
// out whole (connection refused, reset while writing), or the Bot API
// itself answered that it failed (its JSON with error_code 500). A
// gateway's 502, 503 or 504, a body that is not the API's JSON, a timeout
// or a reset after the request went out say nothing of the kind.
func notApplied(err error, wrote bool) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if m := fiveXX.FindStringSubmatch(err.Error()); m != nil {
		return m[1] == "500"
	}
	return !wrote && strings.Contains(err.Error(), "error do request")
}

// knownFailure reports an answer from the Bot API that the call was
// refused (400, 401, 404, 409): it was not delivered, and a retry would
// not help.
func knownFailure(err error) bool {
	return errors.Is(err, tgbot.ErrorBadRequest) || errors.Is(err, tgbot.ErrorUnauthorized) ||
		errors.Is(err, tgbot.ErrorNotFound) || errors.Is(err, tgbot.ErrorConflict)
}

// fiveXX finds the status in go-telegram/bot's error for codes it has no
// error value for ("error response from telegram for method X, 502 ...").
var fiveXX = regexp.MustCompile(`error response from telegram for method \w+, (5\d\d) `)

// retryable reports errors worth another try: the network, a 5xx, or an
// answer that is not the Bot API's JSON (a proxy's error page).
func retryable(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var ne net.Error
	var ue *url.Error
	msg := err.Error()
	return errors.As(err, &ne) || errors.As(err, &ue) || fiveXX.MatchString(msg) ||
		strings.Contains(msg, "error decode response body") || strings.Contains(msg, "error do request")
}

// errClass names an error for logs without its text, which may hold a
// user's words (a response body) or a URL.
func errClass(err error) string {
	var tmr *tgbot.TooManyRequestsError
	var ne net.Error
	switch {
	case err == nil:
		return ""
	case errors.Is(err, errBlocked), errors.Is(err, tgbot.ErrorForbidden):
		return "blocked"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.As(err, &tmr):
		return "rate_limited"
	case errors.Is(err, tgbot.ErrorBadRequest):
		return "bad_request" + badRequestReason(err)
	case errors.Is(err, tgbot.ErrorUnauthorized):
		return "unauthorized"
	case errors.Is(err, tgbot.ErrorNotFound):
		return "not_found"
	case errors.Is(err, tgbot.ErrorConflict):
		return "conflict"
	case fiveXX.MatchString(err.Error()):
		return "server_error_" + fiveXX.FindStringSubmatch(err.Error())[1]
	case strings.Contains(err.Error(), "error decode response"):
		return "bad_response"
	case retryable(err):
		return "network"
	}
	return "other"
}

// badRequestReasons are Telegram's descriptions worth telling apart in logs;
// they hold no user data. Other descriptions are not logged, as they may.
var badRequestReasons = []string{
	"message is not modified", "message to edit not found", "can't parse entities", "message is too long",
	"message text is empty", "query is too old", "BUTTON_DATA_INVALID", "chat not found", "message can't be edited",
}

func badRequestReason(err error) string {
	msg := err.Error()
	for _, r := range badRequestReasons {
		if strings.Contains(msg, r) {
			return ": " + r
		}
	}
	return ""
}

// notModified: an edit that changes nothing (a second tap raced the first);
// harmless.
func notModified(err error) bool {
	return err != nil && strings.Contains(err.Error(), "message is not modified")
}
