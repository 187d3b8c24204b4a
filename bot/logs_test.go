package bot

import (
	"strings"
	"testing"

	"github.com/go-telegram/bot/models"

	"github.com/disputebot/disputebot/bot/telegramtest"
)

// TestLogsHoldNoPersonalData runs conversations full of personal data, and
// failures whose error texts quote it, and checks the captured log (at
// debug level) for any of it: message text, names, phone numbers, the
// chat id, the token, the webhook secret.
func TestLogsHoldNoPersonalData(t *testing.T) {
	const (
		chat     = 5550001234
		phone    = "13812345678"
		name     = "张伟"
		username = "zhangwei_88"
		shop     = "老王水果店"
		secret   = "hook-secret-XYZ"
	)
	h := newHarness(t)
	b := h.start(func(c *Config) { c.Describer = fakeDescriber{} })
	u := h.api.NewUser(chat, name, "zh-hans")
	u.From.LastName, u.From.Username = "Zhang", username

	h.send(u, "我的手机号是"+phone+"，"+shop+"卖的榨汁机坏了")
	h.tap(u, h.T("zh", "button.yes"))
	h.tap(u, h.T("zh", "test.qd.opt.shop"))
	h.send(u, "付了299元，电话"+phone)
	h.send(u, "299")
	h.deliver(u.Message(func(m *models.Message) {
		m.Contact = &models.Contact{PhoneNumber: "+86" + phone, FirstName: name}
	}))
	h.send(u, "/new "+shop+"的东西坏了 "+phone)

	// Failures whose texts carry user data: a 400 quoting the message, a
	// proxy's error page, a poll that fails the same way.
	h.api.FailNext("sendMessage", telegramtest.Failure{Code: 400, Description: "Bad Request: can't parse " + shop + " " + phone})
	h.send(u, "/help")
	h.api.FailNext("sendMessage", telegramtest.Failure{Code: 502, Body: "<html>502 " + phone + " " + telegramtest.Token + "</html>"})
	h.send(u, "/privacy")
	h.api.FailNext("getUpdates", telegramtest.Failure{Code: 502, Body: "<html>" + shop + "</html>"})
	h.send(u, "hello "+name)

	// A webhook bot, with a wrong secret tried.
	cfg := h.config()
	cfg.WebhookURL, cfg.WebhookSecret = "https://bot.example/hook", secret
	wb := h.newBot(cfg)
	h.post(wb, "wrong-"+secret, u.Text(phone))
	upd := u.Text("/start " + phone)
	h.post(wb, secret, upd)
	h.waitHandled(upd.ID, 1)
	_ = b

	logs := h.logs.String()
	if !strings.Contains(logs, `"msg":"update"`) {
		t.Fatalf("nothing logged? %q", logs)
	}
	token := strings.SplitN(telegramtest.Token, ":", 2)[1]
	for _, secretText := range []string{phone, name, username, "Zhang", shop, "榨汁机", "手机号", "hello", token, secret, "5550001234", "/new"} {
		if strings.Contains(logs, secretText) {
			i := strings.Index(logs, secretText)
			t.Errorf("the log holds %q: …%s…", secretText, logs[max(0, i-200):min(len(logs), i+100)])
		}
	}
	// It still says what happened.
	for _, want := range []string{`"kind":"text"`, `"kind":"callback:a"`, `"kind":"media"`, `"kind":"command:new"`, `"class":"bad_request"`, "bad_response", "secret token refused"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log lacks %s", want)
		}
	}
}
