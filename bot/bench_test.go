package bot

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/go-telegram/bot/models"
	"github.com/redis/go-redis/v9"

	"github.com/disputebot/disputebot/bot/telegramtest"
	"github.com/disputebot/disputebot/internal/store"
	"github.com/disputebot/disputebot/internal/store/memstore"
	"github.com/disputebot/disputebot/internal/store/redisstore"
)

// The hot path, update → step → save → render → send, one consultation
// per iteration (a command, three taps, two typed answers, the outcome),
// against the fake Bot API. Run with REDIS_URL set for a real Redis;
// miniredis otherwise (the same encoding and script, in process).
//
//	go test ./bot -run '^$' -bench Consultation -benchmem
func BenchmarkConsultation(b *testing.B) {
	b.Run("memstore", func(b *testing.B) { benchConsultation(b, memstore.New(0, nil)) })
	b.Run("redisstore", func(b *testing.B) {
		var client *redis.Client
		if u := os.Getenv("REDIS_URL"); u != "" {
			opt, err := redis.ParseURL(u)
			if err != nil {
				b.Fatal(err)
			}
			client = redis.NewClient(opt)
		} else {
			client = redis.NewClient(&redis.Options{Addr: miniredis.RunT(b).Addr()})
		}
		b.Cleanup(func() { client.Close() })
		prefix := "disputebot-bench:" + time.Now().Format("150405.000000") + ":"
		b.Cleanup(func() {
			keys, _ := client.Keys(context.Background(), prefix+"*").Result()
			if len(keys) > 0 {
				client.Del(context.Background(), keys...)
			}
		})
		benchConsultation(b, redisstore.New(client, redisstore.Options{Prefix: prefix}))
	})
}

func benchConsultation(b *testing.B, st store.Store) {
	api := telegramtest.New(b)
	r := testRenderer(b)
	bt, err := New(context.Background(), Config{Token: telegramtest.Token, APIURL: api.URL(), Catalog: testCatalog(), Store: st,
		Renderer: r, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return today }, Limits: NoPacing})
	if err != nil {
		b.Fatal(err)
	}
	label := func(key string) string {
		s, err := r.T("en", key, nil)
		if err != nil {
			b.Fatal(err)
		}
		return s
	}
	taps := []string{label("category.quality_defect"), label("test.qd.opt.broken"), label("test.qd.opt.online")}
	const updates = 6
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		u := api.NewUser(int64(10_000+i), "Wei", "en")
		do := func(upd models.Update) { bt.process(&upd, u.Chat.ID) }
		do(u.Text("/start"))
		for _, l := range taps {
			upd, ok := u.TapButton(l)
			if !ok {
				b.Fatalf("no button %q", l)
			}
			do(upd)
		}
		do(u.Text("299"))
		do(u.Text("2026-11-20"))
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*updates), "µs/update")
}
