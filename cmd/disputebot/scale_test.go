package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/disputebot/disputebot/bot"
	"github.com/disputebot/disputebot/bot/telegramtest"
	"github.com/disputebot/disputebot/internal/store/redisstore/redistest"
)

func TestServeConfigRedisTopologies(t *testing.T) {
	base := func(extra map[string]string) map[string]string {
		m := map[string]string{"TELEGRAM_BOT_TOKEN": goodToken}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	ok := map[string]struct {
		vars map[string]string
		mode string
	}{
		"url":        {map[string]string{"REDIS_URL": "rediss://u:p@redis.example.org:6380/2", "REDIS_TIMEOUT": "500ms"}, "server"},
		"cluster":    {map[string]string{"REDIS_CLUSTER_ADDRS": "10.0.0.1:7000, 10.0.0.2:7000", "REDIS_PASSWORD": "pw", "REDIS_TLS": "true"}, "cluster"},
		"sentinel":   {map[string]string{"REDIS_SENTINEL_ADDRS": "s1:26379,s2:26379", "REDIS_SENTINEL_MASTER": "mymaster", "REDIS_SENTINEL_PASSWORD": "spw", "REDIS_DB": "3"}, "sentinel"},
		"one member": {map[string]string{"REDIS_CLUSTER_ADDRS": "redis-cluster:6379"}, "cluster"},
	}
	for name, tt := range ok {
		t.Run(name, func(t *testing.T) {
			c, err := serveConfigFrom(env(base(tt.vars)), false)
			if err != nil {
				t.Fatal(err)
			}
			if c.redis == nil || c.redis.Mode() != tt.mode {
				t.Fatalf("redis = %+v, want mode %s", c.redis, tt.mode)
			}
		})
	}
	c, err := serveConfigFrom(env(base(map[string]string{"REDIS_CLUSTER_ADDRS": "a:1", "REDIS_TIMEOUT": "250ms", "REDIS_USERNAME": "bot"})), false)
	if err != nil || c.redis.Timeout != 250*time.Millisecond || c.redis.Username != "bot" {
		t.Fatalf("config = %+v, %v", c.redis, err)
	}

	bad := map[string]struct {
		vars map[string]string
		want string
	}{
		"two topologies":     {map[string]string{"REDIS_URL": "redis://x:1/0", "REDIS_CLUSTER_ADDRS": "a:1"}, "only one of"},
		"sentinel no master": {map[string]string{"REDIS_SENTINEL_ADDRS": "a:1"}, "REDIS_SENTINEL_MASTER"},
		"master alone":       {map[string]string{"REDIS_SENTINEL_MASTER": "m"}, "REDIS_SENTINEL_ADDRS is not"},
		"no port":            {map[string]string{"REDIS_CLUSTER_ADDRS": "a:1,b"}, `"b" is not host:port`},
		"bad timeout":        {map[string]string{"REDIS_URL": "redis://x:1/0", "REDIS_TIMEOUT": "soon"}, "REDIS_TIMEOUT"},
		"bad tls":            {map[string]string{"REDIS_CLUSTER_ADDRS": "a:1", "REDIS_TLS": "maybe"}, "REDIS_TLS"},
		"bad db":             {map[string]string{"REDIS_SENTINEL_ADDRS": "a:1", "REDIS_SENTINEL_MASTER": "m", "REDIS_DB": "x"}, "REDIS_DB"},
		"password with url":  {map[string]string{"REDIS_URL": "redis://x:1/0", "REDIS_PASSWORD": "hunter2"}, "in the URL"},
		"bad log format":     {map[string]string{"REDIS_URL": "redis://x:1/0", "LOG_FORMAT": "xml"}, "LOG_FORMAT"},
	}
	for name, tt := range bad {
		t.Run(name, func(t *testing.T) {
			_, err := serveConfigFrom(env(base(tt.vars)), false)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("error repeats a password: %v", err)
			}
		})
	}
}

// Defect 5: each replica paced itself to the whole 30 messages a second, so
// two replicas together sent twice Telegram's limit. TELEGRAM_REPLICAS=N
// gives each 1/N of it.
func TestReplicasShareTheGlobalBudget(t *testing.T) {
	perSecond := func(r bot.Rate) float64 { return float64(time.Second) / float64(r.Every) }
	for _, n := range []int{1, 2, 3, 4} {
		c, err := serveConfigFrom(env(map[string]string{"TELEGRAM_BOT_TOKEN": goodToken, "TELEGRAM_REPLICAS": strconv.Itoa(n)}), true)
		if err != nil {
			t.Fatal(err)
		}
		g := c.limits.Global
		total, burst := perSecond(g)*float64(n), g.Burst*n
		if total > 30.01 || burst > 30 {
			t.Errorf("%d replicas together: %.1f a second, burst %d; want at most 30 and 30", n, total, burst)
		}
		if total < 29 {
			t.Errorf("%d replicas together: %.1f a second; want about 30", n, total)
		}
		if c.limits.PerChat != bot.DefaultLimits.PerChat {
			t.Errorf("%d replicas: per-chat limit changed to %+v", n, c.limits.PerChat)
		}
	}
	c, err := serveConfigFrom(env(map[string]string{"TELEGRAM_BOT_TOKEN": goodToken, "TELEGRAM_GLOBAL_RATE": "12.5"}), true)
	if err != nil || perSecond(c.limits.Global) != 12.5 || c.limits.Global.Burst != 12 {
		t.Fatalf("TELEGRAM_GLOBAL_RATE=12.5: %+v, %v", c.limits.Global, err)
	}
	c, err = serveConfigFrom(env(map[string]string{"TELEGRAM_BOT_TOKEN": goodToken}), true)
	if err != nil || c.limits != (bot.Limits{}) {
		t.Fatalf("neither set: %+v, %v; want the bot's defaults", c.limits, err)
	}
	for _, vars := range []map[string]string{
		{"TELEGRAM_REPLICAS": "0"}, {"TELEGRAM_REPLICAS": "two"}, {"TELEGRAM_GLOBAL_RATE": "31"},
		{"TELEGRAM_GLOBAL_RATE": "-1"}, {"TELEGRAM_REPLICAS": "2", "TELEGRAM_GLOBAL_RATE": "15"},
	} {
		vars["TELEGRAM_BOT_TOKEN"] = goodToken
		if _, err := serveConfigFrom(env(vars), true); err == nil {
			t.Errorf("%v accepted", vars)
		}
	}
}

// The acceptance test: a terminal consultation on a local Redis Cluster
// reaches an outcome, and a second run as the same --user resumes it.
func TestChatOnClusterResumes(t *testing.T) {
	addrs := redistest.Cluster(t, 3)
	t.Setenv("REDIS_URL", "") // CI sets it; one topology at a time
	t.Setenv("REDIS_CLUSTER_ADDRS", strings.Join(addrs, ","))
	user := "cluster-" + strconv.FormatInt(time.Now().UnixNano(), 36)

	var out, errb bytes.Buffer
	if code := run([]string{"chat", "--lang", "en", "--user", user}, strings.NewReader("/start personal_info\n1\n1\n1\n"), &out, &errb); code != 0 {
		t.Fatalf("first run: exit %d: %s", code, errb.String())
	}
	for _, w := range []string{"Personal Information Protection Law, Art. 16", "Evidence to keep"} {
		if !strings.Contains(out.String(), w) {
			t.Fatalf("first run did not reach the outcome (no %q):\n%s", w, out.String())
		}
	}

	out.Reset()
	if code := run([]string{"chat", "--lang", "en", "--user", user}, strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("second run: exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "Personal Information Protection Law, Art. 16") || strings.Contains(out.String(), "Pick the closest one") {
		t.Fatalf("second run did not resume at the outcome:\n%s", out.String())
	}

	// The session is in the cluster under its hash-tagged key.
	cc := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs})
	defer cc.Close()
	key := "disputebot:{cli:" + user + "}:session"
	if n, err := cc.Exists(t.Context(), key).Result(); err != nil || n != 1 {
		t.Fatalf("EXISTS %s = %d, %v", key, n, err)
	}
	// Clean up: the next run of this test uses a new user anyway.
	out.Reset()
	run([]string{"chat", "--lang", "en", "--user", user}, strings.NewReader("/forget\n"), &out, &errb)
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// metric reads one sample from a /metrics page (0 if absent).
func metric(page, name string) float64 {
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` ([0-9.e+-]+)$`)
	m := re.FindStringSubmatch(page)
	if m == nil {
		return 0
	}
	f, _ := strconv.ParseFloat(m[1], 64)
	return f
}

// startServe runs serve until the test ends, and waits for its HTTP server.
func startServe(t *testing.T, vars map[string]string, args ...string) (stderr *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stderr = &syncBuffer{}
	done := make(chan int, 1)
	go func() { done <- serve(ctx, append([]string{"--env-file="}, args...), env(vars), stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("serve exit %d:\n%s", code, stderr.String())
			}
		case <-time.After(20 * time.Second):
			t.Error("serve did not stop")
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		if code, _ := httpGet(t, "http://"+vars["LISTEN_ADDR"]+"/healthz"); code == http.StatusOK {
			return stderr
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d:\n%s", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve's HTTP server did not come up:\n%s", stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestServeMetricsMove: during a conversation on the fake Bot API, GET
// /metrics shows the counters moving; the JSON log names updates and a
// hashed chat, never what the user wrote.
func TestServeMetricsMove(t *testing.T) {
	api := telegramtest.New(t)
	addr := freeAddr(t)
	stderr := startServe(t, map[string]string{
		"TELEGRAM_BOT_TOKEN": telegramtest.Token, "TELEGRAM_API_URL": api.URL(),
		"LISTEN_ADDR": addr, "LOG_FORMAT": "json",
	}, "--memory")
	base := "http://" + addr

	code, before := httpGet(t, base+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("GET /metrics: %d %s", code, before)
	}
	if code, body := httpGet(t, base+"/readyz"); code != http.StatusOK || body != "ready" {
		t.Fatalf("GET /readyz in memory: %d %q", code, body)
	}

	u := api.NewUser(4242, "Mei", "en")
	api.Push(u.Text("/start personal_info"))
	api.WaitCalls(t, "sendMessage", 1)
	upd, ok := u.TapButton("They won't serve me unless I log in, scan or give my phone number")
	if !ok {
		t.Fatalf("no such button; messages: %+v", api.Messages(u.Chat.ID))
	}
	api.Push(upd)
	api.Push(u.Text("My secret words: the shop forced me to scan a QR code and log in"))

	var after string
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		_, after = httpGet(t, base+"/metrics")
		if metric(after, `disputebot_updates_total{kind="text",result="ok"}`) >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("text update never counted; /metrics:\n%s\nlog:\n%s", after, stderr.String())
		}
	}
	checks := []struct {
		name string
		min  float64
	}{
		{`disputebot_updates_total{kind="command:start",result="ok"}`, 1},
		{`disputebot_update_duration_seconds_count{kind="command:start"}`, 1},
		{`disputebot_telegram_api_calls_total{code="ok",method="sendMessage"}`, 2},
		{`disputebot_telegram_api_calls_total{code="ok",method="setMyCommands"}`, 3},
		{`disputebot_consultations_total{category="personal_info",phase="started"}`, 1},
		{`disputebot_classifier_outcomes_total{category="personal_info",outcome="matched"}`, 0},
	}
	for _, c := range checks {
		// setMyCommands is done before the first scrape; the rest move.
		moves := c.min > 0 && !strings.Contains(c.name, "setMyCommands")
		if got, was := metric(after, c.name), metric(before, c.name); got < c.min || (moves && got <= was) {
			t.Errorf("%s: %v before, %v after; want it to reach %v", c.name, was, got, c.min)
		}
	}
	if !strings.Contains(after, "disputebot_classifier_outcomes_total{") {
		t.Errorf("no classifier outcome counted for a typed description:\n%s", after)
	}
	if strings.Contains(after, "secret words") {
		t.Error("/metrics holds message text")
	}

	log := stderr.String()
	if !strings.Contains(log, `"msg":"update"`) || !regexp.MustCompile(`"chat":"[0-9a-f]{12}"`).MatchString(log) {
		t.Errorf("JSON log lacks update lines with a hashed chat:\n%s", log)
	}
	if strings.Contains(log, "secret words") || strings.Contains(log, "4242") {
		t.Errorf("log holds message text or the chat id:\n%s", log)
	}
}

// Defect 6: /healthz said 200 with Redis stopped, and a user waited 10 s
// for the store-down notice. Now /readyz says 503 within its timeout and
// the notice comes within about two Redis timeouts.
func TestServeReadyAndStoreDownOnStoppedRedis(t *testing.T) {
	srv := redistest.Start(t)
	api := telegramtest.New(t)
	addr := freeAddr(t)
	startServe(t, map[string]string{
		"TELEGRAM_BOT_TOKEN": telegramtest.Token, "TELEGRAM_API_URL": api.URL(),
		"LISTEN_ADDR": addr, "REDIS_URL": "redis://" + srv.Addr + "/0",
	})
	base := "http://" + addr
	if code, body := httpGet(t, base+"/readyz"); code != http.StatusOK {
		t.Fatalf("GET /readyz with Redis up: %d %q", code, body)
	}
	u := api.NewUser(5151, "Wen", "en")
	api.Push(u.Text("/start"))
	api.WaitCalls(t, "sendMessage", 1)

	if err := srv.Cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	defer srv.Cmd.Process.Signal(syscall.SIGCONT)
	start := time.Now()
	code, _ := httpGet(t, base+"/readyz")
	if took := time.Since(start); code != http.StatusServiceUnavailable || took > 2500*time.Millisecond {
		t.Errorf("GET /readyz with Redis stopped: %d after %v, want 503 within 2.5s", code, took)
	}
	if code, _ := httpGet(t, base+"/healthz"); code != http.StatusOK {
		t.Errorf("GET /healthz with Redis stopped: %d, want 200 (the process is alive)", code)
	}

	start = time.Now()
	api.Push(u.Text("/restart"))
	var took time.Duration
	if !api.Wait(10*time.Second, func(calls []telegramtest.Call) bool {
		for _, c := range calls {
			if c.Method == "sendMessage" && strings.Contains(c.Text(), "reach my memory") {
				took = time.Since(start)
				return true
			}
		}
		return false
	}) {
		t.Fatal("no store-down notice with Redis stopped")
	}
	if took > 3500*time.Millisecond {
		t.Errorf("store-down notice after %v, want about 2-3s", took)
	}
	t.Logf("readyz and the store-down notice with Redis stopped: notice after %v", took.Round(10*time.Millisecond))

	srv.Cmd.Process.Signal(syscall.SIGCONT)
	if code, _ := httpGet(t, base+"/readyz"); code != http.StatusOK {
		t.Errorf("GET /readyz once Redis runs again: %d", code)
	}
}
