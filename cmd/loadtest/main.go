// Command loadtest measures disputebot serve under load. It plays a fake
// Bot API on loopback with N simulated users holding real consultations on
// the shipped dialogs (a free-text description, taps, typed amounts and
// dates, /back now and then, to an outcome; categories and both languages
// mixed), runs the bot as a separate process against it (long polling,
// pacing off) and a real Redis, and prints throughput, latency, Bot API
// calls, CPU and memory per update, Redis bytes per session, start-up time
// and errors.
//
//	go run ./cmd/loadtest -users 1000 -duration 60s            # closed loop
//	go run ./cmd/loadtest -users 1000 -duration 60s -rate 1000 # open loop
//
// Run it from the repository root: it builds ./cmd/disputebot first
// (unless -bot names a binary). It uses its own Redis database (-redis,
// default db 15), refuses one that holds disputebot keys already (unless
// -clean), and deletes what the run stored.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
)

var (
	verbose, keep bool
	stored        int
)

const token = "123456789:LoadTestToken_not-a-real-one"

// run is one load run's shared state.
type run struct {
	api      *fakeAPI
	timeout  time.Duration
	nextChat atomic.Int64

	stopped atomic.Bool
	stop    chan struct{} // closed once stopped is set
	ticks   chan struct{} // open loop: one per update to send; nil closed loop

	// measuring is set once the bot has served its first update.
	measuring atomic.Bool
	firstAt   atomic.Int64  // unix ns of the first reply
	first     chan struct{} // closed at the first reply

	mu        sync.Mutex
	latencies []time.Duration
	calls     int
	errs      map[string]int
	samples   []string
	done      []int64 // chats whose consultation reached its outcome

	consultations atomic.Int64
}

func newRun(api *fakeAPI, timeout time.Duration) *run {
	return &run{api: api, timeout: timeout, errs: map[string]int{}, stop: make(chan struct{}), first: make(chan struct{})}
}

func (r *run) over() bool { return r.stopped.Load() }

// end stops the run: users waiting for their turn return.
func (r *run) end() {
	if r.stopped.CompareAndSwap(false, true) {
		close(r.stop)
	}
}

// await waits for the next update's turn: at once in a closed loop, on
// the open loop's schedule otherwise. It returns false once the run is
// over. It blocks on the channels rather than waking to look: a thousand
// users each polling every 100 ms cost the machine the bot is measured on.
func (r *run) await() bool {
	if r.ticks == nil {
		return !r.over()
	}
	select {
	case <-r.ticks:
		return !r.over()
	case <-r.stop:
		return false
	}
}

func (r *run) record(d time.Duration, calls int) {
	if r.firstAt.Load() == 0 && r.firstAt.CompareAndSwap(0, time.Now().UnixNano()) {
		close(r.first)
	}
	if !r.measuring.Load() || r.over() {
		return
	}
	r.mu.Lock()
	r.latencies = append(r.latencies, d)
	r.calls += calls
	r.mu.Unlock()
}

func (r *run) errorf(class, format string, args ...any) {
	if r.over() {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs[class]++
	if len(r.samples) < 10 {
		r.samples = append(r.samples, class+": "+fmt.Sprintf(format, args...))
	}
}

func (r *run) finished(chat int64) {
	r.mu.Lock()
	r.done = append(r.done, chat)
	r.mu.Unlock()
}

func main() {
	users := flag.Int("users", 100, "simulated users (closed loop: each sends its next update as soon as the last is answered)")
	duration := flag.Duration("duration", 10*time.Second, "how long to measure, after the first update is served")
	rate := flag.Float64("rate", 0, "open loop: updates per second offered, whatever the replies (0: closed loop)")
	redisURL := flag.String("redis", "redis://127.0.0.1:6379/15", "Redis for the bot's sessions: a database of its own")
	clean := flag.Bool("clean", false, "delete disputebot keys found in the Redis database before the run")
	botBin := flag.String("bot", "", "disputebot binary (default: go build ./cmd/disputebot)")
	timeout := flag.Duration("timeout", 10*time.Second, "a reply later than this is an error")
	logLevel := flag.String("log-level", "warn", "the bot's LOG_LEVEL (info logs a line per update)")
	cpuProfile := flag.String("cpuprofile", "", "write the bot's CPU profile of the whole run to this file")
	memProfile := flag.String("memprofile", "", "write the bot's heap profile, as it stands when the bot is told to stop (after the measured interval and the session counts), to this file")
	toolProfile := flag.String("toolprofile", "", "write this tool's own CPU profile (fake API and users) of the measured interval to this file")
	toolProcs := flag.Int("toolprocs", 0, "GOMAXPROCS of this tool (0: the Go default); the bot's comes from the GOMAXPROCS variable")
	flag.BoolVar(&verbose, "v", false, "list the test cases left out, and why")
	flag.BoolVar(&keep, "keep", false, "keep the sessions in Redis after the run (to look at them)")
	flag.IntVar(&stored, "stored", 0, "sessions stored in Redis before the run, of chats that stay quiet (the bot's memory must not grow with them)")
	flag.Parse()
	if *toolProcs > 0 {
		runtime.GOMAXPROCS(*toolProcs)
	}
	if err := loadtest(*users, *duration, *rate, *redisURL, *clean, *botBin, *timeout, *logLevel, *cpuProfile, *memProfile, *toolProfile); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

func loadtest(users int, duration time.Duration, rate float64, redisURL string, clean bool, botBin string, timeout time.Duration, logLevel, cpuProfile, memProfile, toolProfile string) error {
	ctx := context.Background()
	opt, err := redis.ParseURL(redisURL)
	if err != nil {
		return fmt.Errorf("-redis: %w", err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	if err := rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis at %s: %w", redisURL, err)
	}
	if n := countKeys(ctx, rdb); n > 0 {
		if !clean {
			return fmt.Errorf("redis db %d holds %d disputebot keys; pick another -redis db or pass -clean", opt.DB, n)
		}
		deleteKeys(ctx, rdb)
	}
	if !keep {
		defer deleteKeys(ctx, rdb)
	}

	now := time.Now()
	w, err := loadWorld(now)
	if err != nil {
		return err
	}
	if stored > 0 {
		start := time.Now()
		if err := prefill(ctx, rdb, w, stored); err != nil {
			return fmt.Errorf("store %d sessions before the run: %w", stored, err)
		}
		fmt.Printf("stored before the run:  %d sessions of quiet chats (%v)\n", stored, time.Since(start).Round(time.Millisecond))
	}
	fmt.Printf("plans: %d consultations from the dialog test cases (%d left out)\n", len(w.plans), len(w.left))
	if verbose {
		for _, l := range w.left {
			fmt.Println("  left out:", l)
		}
	}

	if botBin == "" {
		dir, err := os.MkdirTemp("", "loadtest")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		botBin = filepath.Join(dir, "disputebot")
		build := exec.Command("go", "build", "-o", botBin, "./cmd/disputebot")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("build the bot (run from the repository root): %w", err)
		}
	}

	api, err := newFakeAPI(token)
	if err != nil {
		return err
	}
	defer api.close()
	r := newRun(api, timeout)
	r.nextChat.Store(1_000_000 + rand.Int64N(1_000_000)*1000)
	if rate > 0 {
		r.ticks = make(chan struct{})
	}

	args := []string{"serve", "--env-file="}
	if cpuProfile != "" {
		args = append(args, "--cpuprofile="+cpuProfile)
	}
	if memProfile != "" {
		args = append(args, "--memprofile="+memProfile)
	}
	cmd := exec.Command(botBin, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"TELEGRAM_BOT_TOKEN=" + token, "TELEGRAM_API_URL=" + api.url(), "REDIS_URL=" + redisURL,
		"TELEGRAM_PACING=off", "LOG_LEVEL=" + logLevel}
	// The Go runtime's knobs reach the bot as they would in production.
	for _, k := range []string{"GOMAXPROCS", "GOGC", "GOMEMLIMIT"} {
		if v, ok := os.LookupEnv(k); ok {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr

	// The users start at once: their first updates wait in the queue
	// while the bot starts, and the first one served dates its start-up.
	var wg sync.WaitGroup
	for i := 0; i < users; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u := newUser(r)
			for !r.over() {
				if !u.consult(&w.plans[rand.IntN(len(w.plans))]) {
					return
				}
			}
		}()
	}
	if r.ticks != nil {
		// Open loop: one user's first update dates the start-up; the
		// schedule begins once the bot serves.
		go func() { r.ticks <- struct{}{} }()
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		r.end()
		return fmt.Errorf("start the bot: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopBot := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}

	// Wait for the first update served.
	select {
	case <-r.first:
	case err := <-exited:
		r.end()
		return fmt.Errorf("the bot exited before serving an update: %v", err)
	case <-time.After(30 * time.Second):
		r.end()
		stopBot()
		return errors.New("no update served within 30s of starting the bot")
	}
	startup := time.Duration(r.firstAt.Load() - start.UnixNano())

	pid := cmd.Process.Pid
	var profile *os.File
	if toolProfile != "" {
		// Only the measured interval: the plans' replay before it is not
		// what the tool costs per update.
		if profile, err = os.Create(toolProfile); err != nil {
			r.end()
			stopBot()
			return err
		}
		if err := pprof.StartCPUProfile(profile); err != nil {
			r.end()
			stopBot()
			return err
		}
	}
	cpu0 := cpuTime(pid)
	toolUser0, toolSys0 := ownCPUTime()
	calls0, polls0 := api.calls.Load(), api.polls.Load()
	t0 := time.Now()
	r.measuring.Store(true)
	if rate > 0 {
		go r.offer(rate, t0.Add(duration))
	}
	time.Sleep(time.Until(t0.Add(duration)))
	r.mu.Lock()
	n := len(r.latencies)
	lat := slices.Clone(r.latencies)
	callsPerUpdate := float64(r.calls) / float64(max(n, 1))
	r.mu.Unlock()
	elapsed := time.Since(t0)
	cpu1 := cpuTime(pid)
	toolUser1, toolSys1 := ownCPUTime()
	if profile != nil {
		pprof.StopCPUProfile()
		profile.Close()
	}
	calls1, polls1 := api.calls.Load(), api.polls.Load()
	hwm, rss := memory(pid)
	r.end()
	wg.Wait()

	sizes := sessionSizes(ctx, rdb, r.done)
	stored := countKeys(ctx, rdb)
	stopBot()

	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	mode := fmt.Sprintf("closed loop, %d users", users)
	if rate > 0 {
		mode = fmt.Sprintf("open loop at %.0f updates/s offered, %d users", rate, users)
	}
	cores := numCPU()
	fmt.Printf("run: %s, %v measured, %d cores (shared by bot, fake API, Redis and this tool)\n", mode, elapsed.Round(time.Millisecond), cores)
	fmt.Printf("updates/s:              %.0f (%d updates, %d consultations to their outcome)\n", float64(n)/elapsed.Seconds(), n, r.consultations.Load())
	fmt.Printf("latency:                p50 %v  p95 %v  p99 %v  max %v\n", ms(pct(.50)), ms(pct(.95)), ms(pct(.99)), ms(pct(1)))
	fmt.Printf("Bot API calls/update:   %.2f (plus %.3f getUpdates)\n", callsPerUpdate, float64(polls1-polls0)/float64(max(n, 1)))
	_ = calls1 - calls0
	if cpu0 >= 0 && cpu1 >= 0 {
		fmt.Printf("bot CPU/update:         %.0f µs (%.2f cores busy)\n", float64(cpu1-cpu0)/float64(max(n, 1))*1e6, float64(cpu1-cpu0)/elapsed.Seconds())
	}
	if toolUser0 >= 0 && toolUser1 >= 0 {
		// The tool shares the machine with the bot: what it took is what
		// the bot could not have.
		user, sys := toolUser1-toolUser0, toolSys1-toolSys0
		perUpdate := func(s float64) float64 { return s / float64(max(n, 1)) * 1e6 }
		fmt.Printf("tool CPU/update:        %.0f µs (user %.0f, system %.0f; %.2f cores busy: fake API and users)\n",
			perUpdate(user+sys), perUpdate(user), perUpdate(sys), (user+sys)/elapsed.Seconds())
	}
	fmt.Printf("bot memory:             peak RSS (VmHWM) %.1f MB, RSS %.1f MB at the end\n", float64(hwm)/1024, float64(rss)/1024)
	if len(sizes) > 0 {
		slices.Sort(sizes)
		fmt.Printf("redis bytes/session:    median %d  max %d (MEMORY USAGE of %d sessions at their outcome; %d keys stored)\n",
			sizes[len(sizes)/2], sizes[len(sizes)-1], len(sizes), stored)
	}
	fmt.Printf("start to first update:  %v (process start to the first reply)\n", ms(startup))
	total := 0
	var classes []string
	for c, k := range r.errs {
		total += k
		classes = append(classes, fmt.Sprintf("%s %d", c, k))
	}
	sort.Strings(classes)
	fmt.Printf("errors:                 %d %s\n", total, strings.Join(classes, ", "))
	for _, s := range r.samples {
		fmt.Println("  ", s)
	}
	if u := api.unknown.Load(); u > 0 {
		fmt.Printf("calls to unknown chats: %d\n", u)
	}
	if b := api.bad.Load(); b > 0 {
		// A body the fake API cannot read is a call no user checked.
		fmt.Printf("unreadable requests:    %d (the first: %s)\n", b, api.badSample.Load())
		total += int(b)
	}
	if total > 0 {
		return fmt.Errorf("%d errors", total)
	}
	return nil
}

// offer releases updates at rate per second until end; when every user is
// waiting for a reply the update is not offered, and counted.
func (r *run) offer(rate float64, end time.Time) {
	t0 := time.Now()
	sent := 0
	missed := 0
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for now := range tick.C {
		if now.After(end) || r.over() {
			break
		}
		due := int(now.Sub(t0).Seconds() * rate)
		for ; sent < due; sent++ {
			select {
			case r.ticks <- struct{}{}:
			default:
				missed++
			}
		}
	}
	if missed > 0 {
		r.errorf("saturated", "%d updates not offered: every user was waiting for a reply", missed)
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d)/1e6) }
