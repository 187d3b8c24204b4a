// Package redistest starts real Redis servers for tests: a single server, a
// local Redis Cluster, a Sentinel. Each lives in the test's temporary
// directory on free loopback ports and is killed (by its process) when the
// test ends.
//
// A test that needs one is skipped when redis-server is not installed,
// unless CI is "true": CI must run it, so there it fails instead.
package redistest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Need skips tb when redis-server is missing, or fails it in CI, and
// returns the path of redis-server.
func Need(tb testing.TB) string {
	tb.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatal("redis-server is not installed, and CI must run this test (apt-get install redis-server)")
		}
		tb.Skip("redis-server is not installed: install it (apt-get install redis-server) to run this test; CI=true makes this a failure")
	}
	return path
}

// Server is a running redis-server.
type Server struct {
	Addr string
	Cmd  *exec.Cmd
	Dir  string
	log  string
}

// freePort returns a loopback port nothing listens on now.
func freePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Start runs redis-server on a free port with extra arguments (config
// directives as --name value), waits until it answers PING and returns it.
func Start(tb testing.TB, args ...string) *Server {
	tb.Helper()
	bin := Need(tb)
	dir := tb.TempDir()
	port := freePort(tb)
	s := &Server{Addr: "127.0.0.1:" + strconv.Itoa(port), Dir: dir, log: filepath.Join(dir, "redis.log")}
	base := []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
		"--save", "", "--appendonly", "no", "--logfile", s.log}
	s.Cmd = exec.Command(bin, append(base, args...)...)
	s.start(tb)
	return s
}

func (s *Server) start(tb testing.TB) {
	tb.Helper()
	if err := s.Cmd.Start(); err != nil {
		tb.Fatalf("start redis-server: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = s.Cmd.Wait(); close(exited) }()
	tb.Cleanup(func() {
		// Killed by its own PID, never by name: other tests' servers run too.
		_ = s.Cmd.Process.Kill()
		<-exited
	})
	c := redis.NewClient(&redis.Options{Addr: s.Addr, DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return
		}
		select {
		case <-exited:
			tb.Fatalf("redis-server on %s exited: %s", s.Addr, s.LogTail())
		default:
		}
		if time.Now().After(deadline) {
			tb.Fatalf("redis-server on %s does not answer: %v\n%s", s.Addr, err, s.LogTail())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// LogTail is the end of the server's log, for a failure message.
func (s *Server) LogTail() string {
	data, _ := os.ReadFile(s.log)
	if len(data) > 2000 {
		data = data[len(data)-2000:]
	}
	return string(data)
}

// Cluster starts a Redis Cluster of masters nodes (no replicas), waits
// until every node reports cluster_state:ok and returns their addresses.
func Cluster(tb testing.TB, masters int) []string {
	tb.Helper()
	Need(tb)
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatal("redis-cli is not installed, and CI must run this test")
		}
		tb.Skip("redis-cli is not installed (it comes with redis-server): needed to create a cluster")
	}
	var addrs []string
	for range masters {
		s := Start(tb, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
			"--cluster-node-timeout", "5000", "--cluster-port", strconv.Itoa(freePort(tb)))
		addrs = append(addrs, s.Addr)
	}
	args := append([]string{"--cluster", "create"}, addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, cli, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		tb.Fatalf("redis-cli --cluster create: %v\n%s", err, out.String())
	}
	deadline := time.Now().Add(20 * time.Second)
	for _, a := range addrs {
		c := redis.NewClient(&redis.Options{Addr: a})
		for {
			info, err := c.ClusterInfo(ctx).Result()
			if err == nil && strings.Contains(info, "cluster_state:ok") {
				break
			}
			if time.Now().After(deadline) {
				c.Close()
				tb.Fatalf("cluster node %s not ok: %v %s", a, err, info)
			}
			time.Sleep(50 * time.Millisecond)
		}
		c.Close()
	}
	return addrs
}

// Sentinel starts a Sentinel watching the master at masterAddr under name,
// waits until it knows the master and returns the Sentinel's address.
func Sentinel(tb testing.TB, name, masterAddr string) string {
	tb.Helper()
	bin := Need(tb)
	host, port, _ := net.SplitHostPort(masterAddr)
	dir := tb.TempDir()
	sport := freePort(tb)
	conf := filepath.Join(dir, "sentinel.conf")
	body := fmt.Sprintf("port %d\nbind 127.0.0.1\ndir %s\nlogfile %s\nsentinel monitor %s %s %s 1\nsentinel down-after-milliseconds %s 5000\n",
		sport, dir, filepath.Join(dir, "redis.log"), name, host, port, name)
	if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
		tb.Fatal(err)
	}
	s := &Server{Addr: "127.0.0.1:" + strconv.Itoa(sport), Dir: dir, log: filepath.Join(dir, "redis.log")}
	s.Cmd = exec.Command(bin, conf, "--sentinel")
	s.start(tb)
	c := redis.NewSentinelClient(&redis.Options{Addr: s.Addr})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		got, err := c.GetMasterAddrByName(ctx, name).Result()
		cancel()
		if err == nil && len(got) == 2 && net.JoinHostPort(got[0], got[1]) == masterAddr {
			return s.Addr
		}
		if time.Now().After(deadline) {
			tb.Fatalf("sentinel does not know master %s: %v %v\n%s", name, got, err, s.LogTail())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
