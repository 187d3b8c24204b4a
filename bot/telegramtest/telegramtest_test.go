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
