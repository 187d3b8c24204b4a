// Package metrics is the bot's Prometheus instrumentation: a bot.Metrics
// on a registry of its own (no global state, so tests and several bots in
// one process never share counters), and the handler that serves it.
//
// Every label value comes from a small fixed set: update kinds, results,
// Bot API method names and codes, dispute categories. None holds user data.
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the bot's metrics. Create it with New.
type Metrics struct {
	reg *prometheus.Registry

	updates       *prometheus.CounterVec
	latency       *prometheus.HistogramVec
	duplicates    *prometheus.CounterVec
	apiCalls      *prometheus.CounterVec
	conflicts     prometheus.Counter
	consultations *prometheus.CounterVec
	classified    *prometheus.CounterVec
	owed          *prometheus.CounterVec
}

// New returns Metrics on a fresh registry, with the Go runtime and process
// collectors beside the bot's own.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		updates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "disputebot_updates_total",
			Help: "Telegram updates handled, by kind (text, callback:<kind>, command:<name>, ...) and result (ok, duplicate, store_unavailable, busy, ...).",
		}, []string{"kind", "result"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "disputebot_update_duration_seconds",
			Help:    "Time to handle one update, from its turn on the chat's lane to the last reply sent, by kind.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"kind"}),
		duplicates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "disputebot_dedupe_hits_total",
			Help: "Updates delivered again and not applied again, caught by this process (process) or by the session's update ids (session).",
		}, []string{"layer"}),
		apiCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "disputebot_telegram_api_calls_total",
			Help: "Bot API requests (each retry counts), by method and code: ok, an HTTP status (400, 403, 429, 502, ...), timeout, network, canceled or other.",
		}, []string{"method", "code"}),
		conflicts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "disputebot_store_conflicts_total",
			Help: "Session saves that lost the compare-and-set to a concurrent step; each is retried on the fresh session (the update then fails as busy after 20).",
		}),
		consultations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "disputebot_consultations_total",
			Help: "Consultations by category and phase: started (a chat entered the category) or finished (it reached an outcome; reaching one again after Back counts again).",
		}, []string{"category", "phase"}),
		classified: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "disputebot_classifier_outcomes_total",
			Help: "Free-text descriptions read, by outcome (matched: one category proposed; unsure: alternatives offered; none) and proposed category.",
		}, []string{"outcome", "category"}),
		owed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "disputebot_owed_replies_total",
			Help: "Replies of saved steps that could not be delivered (recorded), and what became of them: paid (delivered later), void (the chat moved on or its case is gone) or dropped (failed too often).",
		}, []string{"result"}),
	}
	reg.MustRegister(m.updates, m.latency, m.duplicates, m.apiCalls, m.conflicts, m.consultations, m.classified, m.owed,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Registry is where the metrics are registered, for more collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

func (m *Metrics) Update(kind, result string, took time.Duration) {
	m.updates.WithLabelValues(kind, result).Inc()
	m.latency.WithLabelValues(kind).Observe(took.Seconds())
}

func (m *Metrics) Duplicate(layer string) { m.duplicates.WithLabelValues(layer).Inc() }

func (m *Metrics) APICall(method, code string) { m.apiCalls.WithLabelValues(method, code).Inc() }

func (m *Metrics) StoreConflict() { m.conflicts.Inc() }

func (m *Metrics) Owed(result string) { m.owed.WithLabelValues(result).Inc() }

func (m *Metrics) Consultation(category, phase string) {
	m.consultations.WithLabelValues(category, phase).Inc()
}

func (m *Metrics) Classified(outcome, category string) {
	m.classified.WithLabelValues(outcome, category).Inc()
}
