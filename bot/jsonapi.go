package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// jsonAPI makes the Bot API calls nearly every update makes (sendMessage,
// editMessageText, editMessageReplyMarkup, answerCallbackQuery) with a
// JSON body encoded in one piece. go-telegram/bot builds each request as a
// multipart form, by reflection, written through a pipe by a goroutine of
// its own: about a tenth of the bot's CPU under load (issue 10). The other
// methods (uploads above all) stay with go-telegram/bot.
//
// Its errors are go-telegram/bot's, value for value and text for text
// (rawRequest in its raw_request.go): the sender decides on retries,
// blocks and possibly delivered messages from them (send.go).
type jsonAPI struct {
	client *http.Client
	token  string
	// prefix is server + "/bot" + token + "/"; a method's URL is prefix +
	// method, made once for the hot methods (urls).
	prefix string
	urls   map[string]string
}

var hotMethods = []string{"sendMessage", "editMessageText", "editMessageReplyMarkup", "answerCallbackQuery"}

// defaultServerURL is go-telegram/bot's default, the real Bot API.
const defaultServerURL = "https://api.telegram.org"

// newJSONAPI calls the Bot API at server ("" for api.telegram.org) with
// client, which must be the client the rest of the bot uses (its
// transport is sized for the calls of every chat at once).
func newJSONAPI(server, token string, client *http.Client) *jsonAPI {
	server = strings.TrimRight(server, "/")
	if server == "" {
		server = defaultServerURL
	}
	a := &jsonAPI{client: client, token: token, prefix: server + "/bot" + token + "/", urls: map[string]string{}}
	for _, m := range hotMethods {
		a.urls[m] = a.prefix + m
	}
	return a
}

// sentMessage is what the bot reads of a message Telegram returns: nothing
// but its id and chat (callers look at neither today). Decoding all of
// models.Message (the text, its entities, the keyboard back) is most of
// the cost of a response.
type sentMessage struct {
	MessageID int `json:"message_id"`
	Chat      struct {
		ID int64 `json:"id"`
	} `json:"chat"`
}

// apiResponse is the Bot API's answer, with the result decoded as R.
type apiResponse[R any] struct {
	OK          bool   `json:"ok"`
	Result      R      `json:"result"`
	Description string `json:"description"`
	ErrorCode   int    `json:"error_code"`
	Parameters  struct {
		RetryAfter      int `json:"retry_after"`
		MigrateToChatID int `json:"migrate_to_chat_id"`
	} `json:"parameters"`
}

// encodeParams encodes go-telegram/bot's params struct for method as the
// request body. Their json tags are the Bot API's field names, with empty
// optional fields omitted; reply_markup comes out as go-telegram/bot's
// form field held it (it encoded that field with encoding/json too).
// HTML is not escaped: the texts are HTML, and "\u003c" for every "<"
// only makes the body longer.
func encodeParams(method string, params any) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(512)
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(params); err != nil {
		return nil, fmt.Errorf("error encode request for method %s, %w", method, err)
	}
	return buf.Bytes(), nil
}

// sendMessage sends a body encodeParams made of a SendMessageParams. The
// message returned has only its ID and Chat.ID set.
func (a *jsonAPI) sendMessage(ctx context.Context, body []byte) (*models.Message, error) {
	m, err := callJSON[sentMessage](ctx, a, "sendMessage", body)
	if err != nil {
		return nil, err
	}
	return &models.Message{ID: m.MessageID, Chat: models.Chat{ID: m.Chat.ID}}, nil
}

// editMessageText and editMessageReplyMarkup send a body encodeParams
// made of their params. The edited message Telegram returns is checked
// to be one, as go-telegram/bot does, and not kept.
func (a *jsonAPI) editMessageText(ctx context.Context, body []byte) error {
	_, err := callJSON[sentMessage](ctx, a, "editMessageText", body)
	return err
}

func (a *jsonAPI) editMessageReplyMarkup(ctx context.Context, body []byte) error {
	_, err := callJSON[sentMessage](ctx, a, "editMessageReplyMarkup", body)
	return err
}

func (a *jsonAPI) answerCallbackQuery(ctx context.Context, body []byte) error {
	_, err := callJSON[bool](ctx, a, "answerCallbackQuery", body)
	return err
}

// respBuffers hold response bodies while they are decoded; nothing decoded
// refers to them after (encoding/json copies strings out).
var respBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuffer: a buffer grown past this (a long message echoed back)
// is left to the garbage collector rather than kept in the pool.
const maxPooledBuffer = 64 << 10

// callJSON posts body to method and decodes the result as R. Each failure
// comes back as go-telegram/bot's rawRequest returns it:
//
//   - the request not made or not answered: "error do request for method
//     M, %w" around the *url.Error, whose URL has the token replaced by
//     "***";
//   - the answer unreadable: "error read response body for method M, %w";
//   - the answer not JSON (a proxy's error page): "error decode response
//     body for method M, <body>, %w";
//   - the API's error: ErrorForbidden, ErrorBadRequest, ErrorUnauthorized,
//     ErrorNotFound or ErrorConflict wrapped as "%w, <description>", a
//     *MigrateError for a 400 with migrate_to_chat_id, a
//     *TooManyRequestsError for 429, and "error response from telegram
//     for method M, <code> <description>" for other codes;
//   - a result not of its type: "error decode response result for method
//     M, %w".
//
// The HTTP status is not looked at, only the JSON, as go-telegram/bot
// does.
func callJSON[R any](ctx context.Context, a *jsonAPI, method string, body []byte) (R, error) {
	var r apiResponse[R]
	u, ok := a.urls[method]
	if !ok {
		u = a.prefix + method
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return r.Result, fmt.Errorf("error create request for method %s, %w", method, a.redactURL(err))
	}
	req.Header["Content-Type"] = jsonContentType
	resp, err := a.client.Do(req)
	if err != nil {
		return r.Result, fmt.Errorf("error do request for method %s, %w", method, a.redactURL(err))
	}
	buf := respBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= maxPooledBuffer {
			respBuffers.Put(buf)
		}
	}()
	if resp.ContentLength > 0 && resp.ContentLength <= maxPooledBuffer {
		buf.Grow(int(resp.ContentLength) + bytes.MinRead)
	}
	_, err = buf.ReadFrom(resp.Body)
	resp.Body.Close()
	if err != nil {
		return r.Result, fmt.Errorf("error read response body for method %s, %w", method, err)
	}
	data := buf.Bytes()

	err = json.Unmarshal(data, &r)
	var resultErr error
	if err != nil && resultTypeError(err) {
		// The answer is the API's JSON; only its result is not what
		// the method returns. go-telegram/bot decodes the result on its
		// own, after the error code.
		resultErr, err = err, nil
	}
	if err != nil {
		return r.Result, fmt.Errorf("error decode response body for method %s, %s, %w", method, data, err)
	}
	if !r.OK {
		return r.Result, apiError(method, r.ErrorCode, r.Description, r.Parameters.RetryAfter, r.Parameters.MigrateToChatID)
	}
	if resultErr != nil {
		return r.Result, fmt.Errorf("error decode response result for method %s, %w", method, resultErr)
	}
	return r.Result, nil
}

// resultTypeError reports a decoding error in the response's result only.
func resultTypeError(err error) bool {
	var te *json.UnmarshalTypeError
	return errors.As(err, &te) && (te.Field == "result" || strings.HasPrefix(te.Field, "result."))
}

// jsonContentType is shared by every request's header; nothing changes it.
var jsonContentType = []string{"application/json"}

// apiError is go-telegram/bot's error for the Bot API's error answer.
func apiError(method string, code int, desc string, retryAfter, migrateTo int) error {
	switch code {
	case http.StatusForbidden:
		return fmt.Errorf("%w, %s", tgbot.ErrorForbidden, desc)
	case http.StatusBadRequest:
		if migrateTo != 0 {
			return &tgbot.MigrateError{Message: fmt.Sprintf("%s: %s", tgbot.ErrorBadRequest, desc), MigrateToChatID: migrateTo}
		}
		return fmt.Errorf("%w, %s", tgbot.ErrorBadRequest, desc)
	case http.StatusUnauthorized:
		return fmt.Errorf("%w, %s", tgbot.ErrorUnauthorized, desc)
	case http.StatusNotFound:
		return fmt.Errorf("%w, %s", tgbot.ErrorNotFound, desc)
	case http.StatusConflict:
		return fmt.Errorf("%w, %s", tgbot.ErrorConflict, desc)
	case http.StatusTooManyRequests:
		return &tgbot.TooManyRequestsError{Message: fmt.Sprintf("%s, %s", tgbot.ErrorTooManyRequests, desc), RetryAfter: retryAfter}
	}
	return fmt.Errorf("error response from telegram for method %s, %d %s", method, code, desc)
}

// redactURL keeps the token out of the URL of err's *url.Error (the
// request's, which has the token in its path), as go-telegram/bot does.
func (a *jsonAPI) redactURL(err error) error {
	var ue *url.Error
	if a.token != "" && errors.As(err, &ue) {
		ue.URL = strings.ReplaceAll(ue.URL, a.token, "***")
	}
	return err
}
