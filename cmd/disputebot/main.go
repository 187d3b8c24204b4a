// Command disputebot is the advisor for consumer disputes in mainland China:
// a Telegram bot (serve), a terminal chat (chat), and the tools around them
// (lint, test, graph, classify). This package only wires concrete types.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
)

// command is one subcommand. Each lives in its own file and registers itself
// in commands from an init function, so adding one touches no other file.
type command struct {
	summary string
	run     func(args []string, stdin io.Reader, stdout, stderr io.Writer) int
}

var commands = map[string]command{}

func main() {
	// No heap profile is served, so sampling one only costs memory: the
	// profiler's bucket table alone is about 2 MB of a serving bot's
	// 60 (serve --memprofile turns it back on). Set before anything
	// much is allocated.
	runtime.MemProfileRate = 0
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "disputebot: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	return cmd.run(args[1:], stdin, stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: disputebot <command> [flags]")
	fmt.Fprintln(w)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
}
