package main

import (
	"context"
	"errors"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/disputebot/disputebot/internal/engine"
	"github.com/disputebot/disputebot/internal/store/redisstore"
)

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat times: 100 on Linux
// everywhere that matters.
const clockTicks = 100

// cpuTime is the process's user+system CPU time in seconds, from
// /proc/<pid>/stat (-1 where there is no /proc).
func cpuTime(pid int) float64 {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return -1
	}
	// Fields after the command name (which may hold spaces), from field 3.
	s := string(data)
	s = s[strings.LastIndexByte(s, ')')+2:]
	f := strings.Fields(s)
	if len(f) < 13 {
		return -1
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / clockTicks
}

// ownCPUTime is this process's user and system CPU time in seconds, from
// getrusage (microsecond resolution, finer than /proc's ticks); -1 if it
// fails. System time is mostly loopback TCP: a write runs the receiving
// side's network stack too.
func ownCPUTime() (user, sys float64) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1, -1
	}
	return float64(ru.Utime.Nano()) / 1e9, float64(ru.Stime.Nano()) / 1e9
}

// memory returns VmHWM and VmRSS in kB.
func memory(pid int) (hwm, rss int64) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmHWM":
			hwm = n
		case "VmRSS":
			rss = n
		}
	}
	return hwm, rss
}

func numCPU() int { return runtime.NumCPU() }

const keyPattern = "disputebot:*"

func countKeys(ctx context.Context, rdb *redis.Client) int {
	n := 0
	it := rdb.Scan(ctx, 0, keyPattern, 1000).Iterator()
	for it.Next(ctx) {
		n++
	}
	return n
}

func deleteKeys(ctx context.Context, rdb *redis.Client) {
	it := rdb.Scan(ctx, 0, keyPattern, 1000).Iterator()
	var batch []string
	for it.Next(ctx) {
		batch = append(batch, it.Val())
		if len(batch) == 1000 {
			rdb.Unlink(ctx, batch...)
			batch = batch[:0]
		}
	}
	if len(batch) > 0 {
		rdb.Unlink(ctx, batch...)
	}
}

// sessionSizes is MEMORY USAGE of the sessions of (up to 2000 of) the
// chats that reached their outcome.
func sessionSizes(ctx context.Context, rdb *redis.Client, chats []int64) []int64 {
	if len(chats) > 2000 {
		chats = chats[len(chats)-2000:]
	}
	var out []int64
	for _, c := range chats {
		n, err := rdb.MemoryUsage(ctx, "disputebot:{tg:"+strconv.FormatInt(c, 10)+"}:session", 0).Result()
		if err == nil {
			out = append(out, n)
		}
	}
	return out
}

// prefill stores n sessions at their outcomes (copies of the plans'
// sessions, as the bot stores them) for chats that send nothing during
// the run, so the bot's memory is measured with a full store behind it.
func prefill(ctx context.Context, rdb *redis.Client, w *world, n int) error {
	now := time.Now()
	var sessions []engine.Session
	for _, p := range w.plans {
		if len(sessions) == 20 {
			break
		}
		s, err := w.play(p.actions, p.lang, now)
		if err != nil {
			return err
		}
		s.Version = 0
		sessions = append(sessions, s)
	}
	if len(sessions) == 0 {
		return errors.New("no consultation to copy")
	}
	st := redisstore.New(rdb, redisstore.Options{})
	const workers = 16
	errs := make(chan error, workers)
	for k := range workers {
		go func() {
			for i := k; i < n; i += workers {
				// Far above the users' chat ids (nextChat: main.go).
				key := "tg:" + strconv.Itoa(9_000_000_000_000+i)
				if _, err := st.Put(ctx, key, sessions[i%len(sessions)]); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	var first error
	for range workers {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}
