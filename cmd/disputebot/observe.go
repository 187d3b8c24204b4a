package main

import (
	"io"
	"log/slog"

	"github.com/disputebot/disputebot/internal/metrics"
)

// newLogger is serve's logger: text for a terminal, JSON lines
// (LOG_FORMAT=json) for a log collector. Either way the bot logs update
// ids, a keyed hash of the chat id and classes of errors, never message
// text, tokens or personal data.
func newLogger(w io.Writer, json bool, level slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if json {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// newMetrics is the bot's Prometheus metrics, served at GET /metrics on
// LISTEN_ADDR.
func newMetrics() *metrics.Metrics { return metrics.New() }
