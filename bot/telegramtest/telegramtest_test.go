package telegramtest_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/disputebot/disputebot/bot/telegramtest"
)

func newClient(t *testing.T, s *telegramtest.Server, opts ...tgbot.Option) *tgbot.Bot {
	t.Helper()
	opts = append([]tgbot.Option{tgbot.WithServerURL(s.URL()), tgbot.WithErrorsHandler(func(error) {})}, opts...)
	b, err := tgbot.New(telegramtest.Token, opts...)
	if err != nil {
		t.Fatalf("new client: %v", err)
	}
	return b
}

func TestMessagesKeyboardsAndEdits(t *testing.T) {
	s := telegramtest.New(t)
	c := newClient(t, s)
	ctx := context.Background()
	u := s.NewUser(42, "Li", "zh-hans")

	kb := &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "Yes", CallbackData: "a:1:yes"}}}}
	m, err := c.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: u.Chat.ID, Text: "<b>Hi</b> &amp; 😀 <i>there</i>", ParseMode: models.ParseModeHTML, ReplyMarkup: kb})
	if err != nil {
		t.Fatal(err)
	}
	if m.Text != "Hi & 😀 there" || len(m.Entities) != 2 || m.Entities[1].Offset != 8 {
		t.Fatalf("parsed message = %q %+v", m.Text, m.Entities)
	}
	upd, ok := u.TapButton("Yes")
	if !ok || upd.CallbackQuery.Data != "a:1:yes" || upd.CallbackQuery.Message.Message.ID != m.ID {
		t.Fatalf("tap = %+v, %v", upd, ok)
	}
	if _, err := c.AnswerCallbackQuery(ctx, &tgbot.AnswerCallbackQueryParams{CallbackQueryID: upd.CallbackQuery.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AnswerCallbackQuery(ctx, &tgbot.AnswerCallbackQueryParams{CallbackQueryID: upd.CallbackQuery.ID}); !errors.Is(err, tgbot.ErrorBadRequest) {
		t.Fatalf("second answer: %v, want bad request", err)
	}
	// Editing the text without a keyboard drops the keyboard, as Telegram does.
	if _, err := c.EditMessageText(ctx, &tgbot.EditMessageTextParams{ChatID: u.Chat.ID, MessageID: m.ID, Text: "Hi → <b>Yes</b>", ParseMode: models.ParseModeHTML}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Message(u.Chat.ID, m.ID)
	if got.Text != "Hi → Yes" || got.ReplyMarkup != nil {
		t.Fatalf("edited = %q, keyboard %v", got.Text, got.ReplyMarkup)
	}
	if _, err := c.EditMessageText(ctx, &tgbot.EditMessageTextParams{ChatID: u.Chat.ID, MessageID: m.ID, Text: "Hi → <b>Yes</b>", ParseMode: models.ParseModeHTML}); err == nil || !strings.Contains(err.Error(), "not modified") {
		t.Fatalf("same edit: %v, want not modified", err)
	}
}

func TestRejectsWhatTelegramRejects(t *testing.T) {
	s := telegramtest.New(t)
	c := newClient(t, s)
	ctx := context.Background()
	tests := []struct {
		name string
		p    tgbot.SendMessageParams
		want string
	}{
		{"unbalanced tag", tgbot.SendMessageParams{Text: "<b>x", ParseMode: models.ParseModeHTML}, "can't parse entities"},
		{"unknown tag", tgbot.SendMessageParams{Text: "<div>x</div>", ParseMode: models.ParseModeHTML}, "can't parse entities"},
		{"stray <", tgbot.SendMessageParams{Text: "1 <2", ParseMode: models.ParseModeHTML}, "can't parse entities"},
		{"empty", tgbot.SendMessageParams{Text: "<b> </b>", ParseMode: models.ParseModeHTML}, "text is empty"},
		{"too long", tgbot.SendMessageParams{Text: strings.Repeat("字", 4097)}, "too long"},
		{"callback data over 64 bytes", tgbot.SendMessageParams{Text: "x", ReplyMarkup: &models.InlineKeyboardMarkup{
			InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "b", CallbackData: strings.Repeat("d", 65)}}}}}, "BUTTON_DATA_INVALID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.p.ChatID = 1
			_, err := c.SendMessage(ctx, &tt.p)
			if !errors.Is(err, tgbot.ErrorBadRequest) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want bad request %q", err, tt.want)
			}
		})
	}
}

func TestScriptedFailures(t *testing.T) {
	s := telegramtest.New(t)
	c := newClient(t, s)
	ctx := context.Background()
	s.FailNext("sendMessage", telegramtest.TooManyRequests(7), telegramtest.ServerError(), telegramtest.Blocked(), telegramtest.Failure{Drop: true})
	p := &tgbot.SendMessageParams{ChatID: 5, Text: "x"}

	_, err := c.SendMessage(ctx, p)
	var tmr *tgbot.TooManyRequestsError
	if !errors.As(err, &tmr) || tmr.RetryAfter != 7 {
		t.Fatalf("429: %v", err)
	}
	if _, err = c.SendMessage(ctx, p); err == nil || !strings.Contains(err.Error(), "500") {
		t.Fatalf("500: %v", err)
	}
	if _, err = c.SendMessage(ctx, p); !errors.Is(err, tgbot.ErrorForbidden) {
		t.Fatalf("403: %v", err)
	}
	if _, err = c.SendMessage(ctx, p); err == nil {
		t.Fatal("dropped connection gave no error")
	}
	if _, err = c.SendMessage(ctx, p); err != nil {
		t.Fatalf("after the script: %v", err)
	}
	if n := len(s.Calls("sendMessage")); n != 5 {
		t.Fatalf("recorded %d calls, want 5", n)
	}
}

func TestJSONBodiesAndWrongToken(t *testing.T) {
	s := telegramtest.New(t)
	resp, err := http.Post(s.URL()+"/bot"+telegramtest.Token+"/sendMessage", "application/json",
		strings.NewReader(`{"chat_id": 7, "text": "<b>json</b>", "parse_mode": "HTML", "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": "l:en"}]]}}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("JSON sendMessage: %s", resp.Status)
	}
	calls := s.Calls("sendMessage")
	if len(calls) != 1 || calls[0].ChatID() != 7 || calls[0].Keyboard()[0][0].CallbackData != "l:en" {
		t.Fatalf("calls = %+v", calls)
	}
	resp, err = http.Post(s.URL()+"/bot1:wrong/getMe", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong token: %s", resp.Status)
	}
}

func TestLongPollingDeliversPushedUpdates(t *testing.T) {
	s := telegramtest.New(t)
	got := make(chan *models.Update, 10)
	// Synchronous handlers: go-telegram/bot runs them concurrently otherwise,
	// and the order would be lost.
	c := newClient(t, s, tgbot.WithNotAsyncHandlers(), tgbot.WithDefaultHandler(func(_ context.Context, _ *tgbot.Bot, u *models.Update) { got <- u }))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Start(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	u := s.NewUser(9, "Ann", "en")
	s.Push(u.Text("/start"), u.Text("hello"))
	for _, want := range []string{"/start", "hello"} {
		select {
		case upd := <-got:
			if upd.Message.Text != want {
				t.Fatalf("got %q, want %q", upd.Message.Text, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no update %q", want)
		}
	}
}

func TestCommandsAndWebhook(t *testing.T) {
	s := telegramtest.New(t)
	c := newClient(t, s)
	ctx := context.Background()
	_, err := c.SetMyCommands(ctx, &tgbot.SetMyCommandsParams{Commands: []models.BotCommand{{Command: "help", Description: "帮助"}},
		Scope: &models.BotCommandScopeAllPrivateChats{}, LanguageCode: "zh"})
	if err != nil {
		t.Fatal(err)
	}
	if cs := s.Commands(); len(cs) != 1 || cs[0].Scope != "all_private_chats" || cs[0].LanguageCode != "zh" || cs[0].Commands[0].Command != "help" {
		t.Fatalf("commands = %+v", cs)
	}
	if _, err := c.SetWebhook(ctx, &tgbot.SetWebhookParams{URL: "https://example.org/hook", SecretToken: "s3cret"}); err != nil {
		t.Fatal(err)
	}
	if url, secret := s.Webhook(); url != "https://example.org/hook" || secret != "s3cret" {
		t.Fatalf("webhook = %q %q", url, secret)
	}
}

func TestInlineQueriesAndDocuments(t *testing.T) {
	s := telegramtest.New(t)
	c := newClient(t, s)
	ctx := context.Background()
	u := s.NewUser(7, "Ann", "en")

	// A button that switches to inline mode is a button; one that does
	// two things is not.
	share := &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "Share", SwitchInlineQuery: "tok"}}}}
	if _, err := c.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: u.Chat.ID, Text: "x", ReplyMarkup: share}); err != nil {
		t.Fatal(err)
	}
	if q, ok := u.SwitchInline("Share"); !ok || q != "tok" {
		t.Fatalf("switch inline = %q, %v", q, ok)
	}
	both := &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "B", SwitchInlineQuery: "tok", CallbackData: "s:sum"}}}}
	if _, err := c.SendMessage(ctx, &tgbot.SendMessageParams{ChatID: u.Chat.ID, Text: "x", ReplyMarkup: both}); !errors.Is(err, tgbot.ErrorBadRequest) {
		t.Fatalf("a button doing two things: %v", err)
	}

	article := func(text string) []models.InlineQueryResult {
		return []models.InlineQueryResult{&models.InlineQueryResultArticle{ID: "a", Title: "T",
			InputMessageContent: &models.InputTextMessageContent{MessageText: text, ParseMode: models.ParseModeHTML}}}
	}
	tests := []struct {
		name string
		p    tgbot.AnswerInlineQueryParams
		ok   bool
	}{
		{"article", tgbot.AnswerInlineQueryParams{Results: article("<b>Case</b> summary"), IsPersonal: true}, true},
		{"no results, a start button", tgbot.AnswerInlineQueryParams{Results: []models.InlineQueryResult{},
			Button: &models.InlineQueryResultsButton{Text: "Open", StartParameter: "summary"}}, true},
		{"bad HTML", tgbot.AnswerInlineQueryParams{Results: article("<b>Case")}, false},
		{"too long", tgbot.AnswerInlineQueryParams{Results: article(strings.Repeat("a", 4097))}, false},
		{"button without action", tgbot.AnswerInlineQueryParams{Results: []models.InlineQueryResult{},
			Button: &models.InlineQueryResultsButton{Text: "Open"}}, false},
		{"bad start parameter", tgbot.AnswerInlineQueryParams{Results: []models.InlineQueryResult{},
			Button: &models.InlineQueryResultsButton{Text: "Open", StartParameter: "a b"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			upd := u.InlineQuery("tok")
			if upd.InlineQuery.From.ID != u.From.ID || upd.InlineQuery.Query != "tok" {
				t.Fatalf("update %+v", upd.InlineQuery)
			}
			p := tt.p
			p.InlineQueryID = upd.InlineQuery.ID
			_, err := c.AnswerInlineQuery(ctx, &p)
			if (err == nil) != tt.ok {
				t.Fatalf("answer: %v, want ok %v", err, tt.ok)
			}
			if !tt.ok {
				return
			}
			calls := s.Calls("answerInlineQuery")
			call := calls[len(calls)-1]
			if rs := call.Results(); len(p.Results) == 1 && (len(rs) != 1 || rs[0].Text != "Case summary" || len(rs[0].Entities) != 1) {
				t.Fatalf("results as read: %+v", rs)
			}
			if _, err := c.AnswerInlineQuery(ctx, &p); !errors.Is(err, tgbot.ErrorBadRequest) {
				t.Fatalf("second answer: %v, want bad request", err)
			}
		})
	}

	if _, err := c.SendDocument(ctx, &tgbot.SendDocumentParams{ChatID: u.Chat.ID, Caption: "<b>Page</b>", ParseMode: models.ParseModeHTML,
		Document: &models.InputFileUpload{Filename: "a.html", Data: strings.NewReader("<html></html>")}}); err != nil {
		t.Fatal(err)
	}
	ms := s.Messages(u.Chat.ID)
	if m := ms[len(ms)-1]; m.Document == nil || m.Document.FileName != "a.html" || m.Caption != "Page" {
		t.Fatalf("document message %+v", m)
	}
	if f := s.Calls("sendDocument")[0].Files["document"]; string(f.Data) != "<html></html>" {
		t.Fatalf("uploaded %q", f.Data)
	}
	if _, err := c.SendDocument(ctx, &tgbot.SendDocumentParams{ChatID: u.Chat.ID,
		Document: &models.InputFileUpload{Filename: "empty.txt", Data: strings.NewReader("")}}); !errors.Is(err, tgbot.ErrorBadRequest) {
		t.Fatalf("empty file: %v", err)
	}
}
